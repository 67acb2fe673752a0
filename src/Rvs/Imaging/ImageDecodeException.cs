using Rvs.Errors;

namespace Rvs.Imaging;

/// <summary>The bytes are not a photo rvs can read; the message says why, in words a user can act on.</summary>
public sealed class ImageDecodeException : RvsException
{
    public ImageDecodeException(string message, Exception? inner = null, bool tooLarge = false) : base(message, inner) =>
        Category = tooLarge ? ErrorCategory.TooLarge : ErrorCategory.UnsupportedInput;

    public override ErrorCategory Category { get; }
}
