using Rvs.Errors;

namespace Rvs.Catalog;

/// <summary>A collection cannot be opened or used as asked; the message is meant for the user as is.</summary>
public class CollectionException(string message, Exception? inner = null) : RvsException(message, inner)
{
    public override ErrorCategory Category => ErrorCategory.Collection;
}

/// <summary>
/// The collection was built by another pipeline, model or vector size: its embeddings cannot be compared with
/// the ones this run would make, so mixing them would silently return nonsense.
/// </summary>
public sealed class CollectionMismatchException(string message, Exception? inner = null) : ModelMismatchException(message, inner);

/// <summary>
/// The collection's catalog.db is damaged (not an SQLite file, truncated, missing tables or settings, values rvs
/// never writes). It was left as it is; the message says what is wrong and how to recover.
/// </summary>
public sealed class CatalogDamagedException(string message, Exception? inner = null) : CollectionException(message, inner);
