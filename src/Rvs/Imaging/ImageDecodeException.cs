namespace Rvs.Imaging;

/// <summary>The bytes are not a photo rvs can read; the message says why, in words a user can act on.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string message) : base(message) { }

    public ImageDecodeException(string message, Exception inner) : base(message, inner) { }

    public ImageDecodeException() { }
}
