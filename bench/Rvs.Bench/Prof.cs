using System.Diagnostics;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;
using Rvs.Alignment;
namespace Rvs.Bench;
internal static class Prof {
  public static int Run(string[] args) {
    var photos = PhotoSource.Enumerate("../shared/data/lfw.tgz").Take(200).ToList();
    using var p = (FaceNetPipeline)PipelineFactory.Create(PipelineNames.MtcnnFaceNet, 1);
    var decoded = photos.Select(x => ImageDecoder.Decode(x.Bytes)).ToList();
    foreach (var d in decoded.Take(10)) p.Embed(d);
    var sw = Stopwatch.StartNew();
    foreach (var x in photos) ImageDecoder.Decode(x.Bytes);
    Console.WriteLine($"decode {sw.Elapsed.TotalMilliseconds/photos.Count:0.00} ms");
    sw.Restart();
    var dets = decoded.Select(d => p.Detector.Detect(d.Image)).ToList();
    Console.WriteLine($"detect {sw.Elapsed.TotalMilliseconds/photos.Count:0.00} ms");
    sw.Restart();
    var al = decoded.Zip(dets).Select(t => t.Second.Select(f => FaceAligner.Align(t.First.Image, f)).ToList()).ToList();
    Console.WriteLine($"align {sw.Elapsed.TotalMilliseconds/photos.Count:0.00} ms");
    sw.Restart();
    var emb = new Rvs.Embedding.MobileFaceNetEmbedder(Rvs.Models.ModelFiles.FaceModel("mobilefacenet"), 1);
    foreach (var a in al) emb.Embed(a);
    Console.WriteLine($"embed {sw.Elapsed.TotalMilliseconds/photos.Count:0.00} ms");
    return 0;
  }
}
