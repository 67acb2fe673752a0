using Rvs.Testing;

namespace Rvs.Tests.Support;

/// <summary>A fact that is skipped, saying why, where ffmpeg cannot make test videos.</summary>
public sealed class FfmpegFactAttribute() : ServiceFactAttribute(VideoMaker.WhyUnavailable);
