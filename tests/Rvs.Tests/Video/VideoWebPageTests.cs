using System.Globalization;
using Microsoft.Playwright;
using Rvs.Tests.Server;
using Rvs.Tests.Support;

namespace Rvs.Tests.Video;

/// <summary>The web page in Debian's chromium: a video result shows its time and plays the video from there.</summary>
[Trait(TestTier.Name, TestTier.Full)]
public sealed class VideoWebPageTests(VideoFixture fixture) : IClassFixture<VideoFixture>
{
    private const string Chromium = "/usr/bin/chromium";

    [FfmpegFact]
    public async Task a_video_result_shows_its_time_and_opens_the_video_playing_from_it()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium)");
        var address = await fixture.StartKestrelAsync();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        await page.GotoAsync(address.ToString());

        await page.GetByTestId("photo-input").SetInputFilesAsync(TestData.LfwPhoto("Colin_Powell", 2));
        var first = page.Locator("[data-testid=results-grid] [data-testid=hit]").First;
        await Assertions.Expect(first.GetByTestId("hit-time")).ToContainTextAsync("video, at 0:03.5");

        await first.ClickAsync();
        var video = page.GetByTestId("dialog-video");
        await Assertions.Expect(video).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("dialog-image")).ToBeHiddenAsync();
        // Loaded and positioned: the browser decoded the video and starts it where Colin Powell appears.
        await page.WaitForFunctionAsync("() => { const v = document.getElementById('dialog-video'); return v.readyState >= 2 && !v.error; }");
        var time = await page.EvaluateAsync<double>("() => document.getElementById('dialog-video').currentTime");
        var hitTime = double.Parse((await first.GetAttributeAsync("data-time"))!, CultureInfo.InvariantCulture);
        Assert.True(time >= hitTime - 0.05, $"the video is at {time} s, before the face's time ({hitTime} s)");
        Assert.True(time < 6.5, $"the video is at {time} s, past its end");
        Directory.CreateDirectory(WebPageTests.Artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebPageTests.Artifacts, "web-video.png") });
        Assert.Empty(errors);
    }
}
