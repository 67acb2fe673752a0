namespace Rvs.Errors;

/// <summary>
/// What kind of failure a user-facing error is. Each surface maps a category to its own code exactly once
/// (the CLI to an exit code, the server to an HTTP status), so the same failure reads the same everywhere.
/// </summary>
public enum ErrorCategory
{
    /// <summary>An argument, option or form field is not acceptable (e.g. a face number the photo does not have).</summary>
    InvalidRequest,

    /// <summary>Something the user named (a file, a face id, a photo id) does not exist.</summary>
    NotFound,

    /// <summary>The input is not a photo rvs can read.</summary>
    UnsupportedInput,

    /// <summary>The input is larger than the limits allow.</summary>
    TooLarge,

    /// <summary>The photo was read, but no face was found in it.</summary>
    NoFace,

    /// <summary>The collection was built by other models than this run uses.</summary>
    ModelMismatch,

    /// <summary>The collection is missing, damaged or cannot be opened as asked.</summary>
    Collection,

    /// <summary>The vector back end (e.g. a Garnet shard) cannot be reached.</summary>
    IndexUnavailable,
}

/// <summary>
/// A failure the user can act on; its message is written for them, in one line, and shown as is. Every other
/// exception reaching a surface is a bug in rvs and is reported as one.
/// </summary>
public abstract class RvsException : Exception
{
    protected RvsException(string message, Exception? inner = null) : base(message, inner) { }

    public abstract ErrorCategory Category { get; }
}

/// <summary>A request rvs cannot carry out as given; the message says what would be accepted.</summary>
public sealed class InvalidRequestException(string message, Exception? inner = null) : RvsException(message, inner)
{
    public override ErrorCategory Category => ErrorCategory.InvalidRequest;
}

/// <summary>A file, face or photo the user named does not exist (or cannot be read).</summary>
public sealed class NotFoundException(string message, Exception? inner = null) : RvsException(message, inner)
{
    public override ErrorCategory Category => ErrorCategory.NotFound;
}

/// <summary>The photo was decoded, but the detector found no face to search or compare with.</summary>
public sealed class NoFaceException(string message) : RvsException(message)
{
    public override ErrorCategory Category => ErrorCategory.NoFace;
}

/// <summary>
/// The vector back end could not answer (e.g. a Garnet shard is down); <see cref="Unavailable"/> names what did not
/// answer, so an operator knows which server to restart.
/// </summary>
public class IndexUnavailableException : RvsException
{
    public IndexUnavailableException(string message, IReadOnlyList<string>? unavailable = null, Exception? inner = null)
        : base(message, inner) => Unavailable = unavailable ?? [];

    public IReadOnlyList<string> Unavailable { get; }

    public override ErrorCategory Category => ErrorCategory.IndexUnavailable;
}

/// <summary>
/// Embeddings made by other models than this run's were asked to be compared: refused, because mixing them would
/// silently return nonsense.
/// </summary>
public class ModelMismatchException(string message, Exception? inner = null) : RvsException(message, inner)
{
    public override ErrorCategory Category => ErrorCategory.ModelMismatch;
}
