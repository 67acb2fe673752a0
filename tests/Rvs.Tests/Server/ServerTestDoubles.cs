using System.Drawing;
using Rvs.Imaging;
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
