namespace Rvs.Catalog;

/// <summary>A collection cannot be opened or used as asked; the message is meant for the user as is.</summary>
public class CollectionException : Exception
{
    public CollectionException(string message) : base(message) { }

    public CollectionException(string message, Exception inner) : base(message, inner) { }

    public CollectionException() { }
}

/// <summary>
/// The collection was built by another pipeline, model or vector size: its embeddings cannot be compared with
/// the ones this run would make, so mixing them would silently return nonsense.
/// </summary>
public sealed class CollectionMismatchException : CollectionException
{
    public CollectionMismatchException(string message) : base(message) { }

    public CollectionMismatchException(string message, Exception inner) : base(message, inner) { }

    public CollectionMismatchException() { }
}
