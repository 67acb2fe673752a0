using System.Drawing;
using Rvs.Errors;
using Rvs.Imaging;
using Rvs.Index;
using Rvs.Pipelines;

namespace Rvs.Tests.Server;

/// <summary>The real pipeline, made slower, to hold a model slot for a known time.</summary>
internal sealed class SlowPipeline(IEmbeddingPipeline inner, TimeSpan delay) : IEmbeddingPipeline
{
    public string Name => inner.Name;

    public string ModelId => inner.ModelId;

    public int Dimensions => inner.Dimensions;

    public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
    {
        Thread.Sleep(delay);
        return inner.Embed(photo);
    }

    public Rvs.Embedding.FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box) => inner.EmbedRegion(photo, box);

    // The inner pipeline is shared by every test; it is not this wrapper's to dispose.
    public void Dispose() { }
}

/// <summary>A read-only stream that will not say how long it is, as a network upload sent in chunks.</summary>
internal sealed class UnknownLengthStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// An exact index whose every answer passes through <paramref name="answer"/> (to fail, or to be partial), and which
/// reports <see cref="Shards"/> as a sharded index does; while <see cref="Unreachable"/>, counting it fails as a
/// Garnet index with a shard down does.
/// </summary>
internal sealed class ScriptedBackEnd(Func<IReadOnlyList<VectorHit>, SearchResult> answer) : IVectorBackEnd
{
    private readonly ExactBackEnd _exact = new();

    public ScriptedBackEnd()
        : this(SearchResult.Complete)
    {
    }

    public string Kind => "scripted";

    public IReadOnlyList<ShardStatus> Shards { get; set; } = [];

    public bool Unreachable { get; set; }

    public IReadOnlyDictionary<string, string> Settings => _exact.Settings;

    public IVectorIndex Create(int dimensions, long expectedCount) => new Scripted(_exact.Create(dimensions, expectedCount), this);

    public bool Save(IVectorIndex index, string directory) => false;

    public IVectorIndex? Load(string directory, int dimensions) => null;

    private sealed class Scripted(IVectorIndex inner, ScriptedBackEnd script) : IVectorIndex, IShardedIndex
    {
        public string Kind => "scripted";
        public int Dimensions => inner.Dimensions;
        public long Count => script.Unreachable ? throw new IndexUnavailableException("shard 1 is unreachable", ["shard 1"]) : inner.Count;
        public IReadOnlyList<ShardStatus> Shards => script.Shards;
        public void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null) => inner.Add(ids, vectors, attributes);
        public int Remove(IReadOnlyList<long> ids) => inner.Remove(ids);
        public bool Contains(long id) => inner.Contains(id);
        public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k) => SearchWithStatus(query, k).Hits;
        public SearchResult SearchWithStatus(ReadOnlySpan<float> query, int k) => script.Answer(inner.Search(query, k));
        public void Dispose() => inner.Dispose();
    }

    private SearchResult Answer(IReadOnlyList<VectorHit> hits) => answer(hits);
}
