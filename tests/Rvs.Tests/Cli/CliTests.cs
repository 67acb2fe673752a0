using System.Text.Json;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

public class CliTests
{
    [Fact]
    public void detect_json_prints_one_object_with_boxes_scores_and_five_landmarks_in_photo_pixels()
    {
        var result = CliRunner.Run("detect", TestData.LfwPhoto("Aaron_Eckhart", 1), "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var face = Assert.Single(json.RootElement.GetProperty("faces").EnumerateArray());
        var box = face.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(4, box.Length);
        Assert.InRange(box[0] + box[2] / 2, 95, 155);
        Assert.InRange(face.GetProperty("score").GetDouble(), 0.9, 1.0);
        var landmarks = face.GetProperty("landmarks").EnumerateArray().ToArray();
        Assert.Equal(5, landmarks.Length);
        Assert.All(landmarks, p => Assert.Equal(2, p.GetArrayLength()));
    }

    [Fact]
    public void detect_writes_an_annotated_png_when_asked()
    {
        var output = Path.Combine(Path.GetTempPath(), $"rvs-annotated-{Guid.NewGuid():N}.png");
        try
        {
            var result = CliRunner.Run("detect", TestData.LfwPhoto("Aaron_Eckhart", 1), "-o", output);

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("face 0", result.Stdout, StringComparison.Ordinal);
            var photo = Rvs.Imaging.ImageDecoder.DecodeFile(output);
            Assert.Equal(250, photo.Image.Width);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void embed_json_adds_a_unit_length_192_number_embedding_to_each_face()
    {
        var result = CliRunner.Run("embed", TestData.LfwPhoto("Colin_Powell", 1), "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var face = Assert.Single(json.RootElement.GetProperty("faces").EnumerateArray());
        var embedding = face.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(192, embedding.Length);
        Assert.Equal(1.0, Math.Sqrt(embedding.Sum(v => v * v)), 3);
        Assert.Equal(5, face.GetProperty("landmarks").GetArrayLength());
    }

    [Fact]
    public void embed_with_the_resnet_pipeline_prints_one_512_number_embedding_of_the_whole_photo()
    {
        var result = CliRunner.Run("embed", TestData.LfwPhoto("Colin_Powell", 1), "--json", "--pipeline", "resnet");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(512, json.RootElement.GetProperty("embedding").GetArrayLength());
        Assert.False(json.RootElement.TryGetProperty("faces", out _));
    }

    [Fact]
    public void a_missing_photo_is_one_clear_line_on_stderr_and_a_failing_exit_code()
    {
        var result = CliRunner.Run("detect", "/no/such/photo.jpg", "--json");

        Assert.Equal(1, result.ExitCode);
        // --json always prints exactly one object on stdout: here the error.
        var error = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Contains("/no/such/photo.jpg", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, error.GetProperty("exit_code").GetInt32());
        Assert.StartsWith("rvs: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/no/such/photo.jpg", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void a_file_that_is_not_an_image_is_reported_not_crashed_on()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rvs-not-an-image-{Guid.NewGuid():N}.jpg");
        File.WriteAllText(path, "this is text, not a JPEG");
        try
        {
            var result = CliRunner.Run("embed", path);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("not an image", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public class VerifyCliTests
{
    [Fact]
    public void verify_says_same_person_for_two_photos_of_one_person_and_different_for_two_people()
    {
        var same = CliRunner.Run("verify", TestData.LfwPhoto("Colin_Powell", 1), TestData.LfwPhoto("Colin_Powell", 2), "--json");
        var different = CliRunner.Run("verify", TestData.LfwPhoto("Colin_Powell", 1), TestData.LfwPhoto("George_W_Bush", 1), "--json");

        Assert.Equal(0, same.ExitCode);
        using var sameJson = JsonDocument.Parse(same.Stdout);
        using var differentJson = JsonDocument.Parse(different.Stdout);
        Assert.True(sameJson.RootElement.GetProperty("same_person").GetBoolean());
        Assert.False(differentJson.RootElement.GetProperty("same_person").GetBoolean());
        var threshold = sameJson.RootElement.GetProperty("threshold").GetDouble();
        Assert.True(sameJson.RootElement.GetProperty("distance").GetDouble() < threshold);
        Assert.True(differentJson.RootElement.GetProperty("distance").GetDouble() >= threshold);
        Assert.InRange(sameJson.RootElement.GetProperty("threshold_accuracy").GetDouble(), 0.98, 1.0);
    }
}
