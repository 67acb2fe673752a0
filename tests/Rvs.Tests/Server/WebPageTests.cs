using Microsoft.Playwright;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>
/// The web page in a real browser (Debian's chromium driven by Playwright) against a real Kestrel server on a free
/// loopback port: upload a photo, get results, open one, ask for more like it.
/// </summary>
[Trait(TestTier.Name, TestTier.Full)]
[Collection(ServerCollection.Name)]
public sealed class WebPageTests(ServerFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    // The machine has no network: without these chromium waits on connections it can never make.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public static string Artifacts => Path.Combine(TestData.RepositoryRoot, "artifacts");

    [Fact]
    public async Task Searching_by_photo_shows_the_person_first_and_more_like_this_shows_a_new_grid()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium)");
        var address = await fixture.StartKestrelAsync(fixture.Options());
        const string Person = "Tony_Blair";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);

        await page.GotoAsync(address.ToString());
        await Assertions.Expect(page.GetByTestId("stats")).ToContainTextAsync("faces");

        await page.GetByTestId("photo-input").SetInputFilesAsync(ServerFixture.QueryPhoto(Person));
        var hits = page.Locator("[data-testid=results-grid] [data-testid=hit]");
        await Assertions.Expect(hits).ToHaveCountAsync(20);
        Assert.Equal(Person, await hits.First.GetAttributeAsync("data-label"));
        await Assertions.Expect(hits.First.GetByTestId("hit-label")).ToContainTextAsync(Person.Replace('_', ' '));
        await Assertions.Expect(page.GetByTestId("face-box").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToBeHiddenAsync();
        Directory.CreateDirectory(Artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "web-search.png"), FullPage = true });

        var firstFace = await hits.First.GetAttributeAsync("data-face-id");
        await hits.First.ClickAsync();
        var dialog = page.GetByTestId("photo-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("dialog-label")).ToHaveTextAsync(Person.Replace('_', ' '));
        await page.WaitForFunctionAsync("() => document.getElementById('dialog-image').naturalWidth > 0");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "web-photo.png") });

        await page.GetByTestId("more-like-this").ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("results-grid")).ToHaveAttributeAsync("data-kind", "similar");
        await Assertions.Expect(page.GetByTestId("results-title")).ToContainTextAsync("Faces like");
        await Assertions.Expect(hits).ToHaveCountAsync(20);
        // The face itself is excluded from its own neighbours.
        Assert.DoesNotContain(firstFace, await hits.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.faceId)"));
        Assert.Equal(Person, await hits.First.GetAttributeAsync("data-label"));
        await Assertions.Expect(page.GetByTestId("back-to-photo")).ToBeVisibleAsync();

        // At phone width the page stacks into one column and still shows the results.
        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(hits.First).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "the page scrolls sideways at phone width");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "web-search-phone.png"), FullPage = true });

        Assert.Empty(errors);
    }

    [Fact]
    public async Task Clicking_another_face_box_searches_that_face()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium)");
        var address = await fixture.StartKestrelAsync(fixture.Options());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(address.ToString());

        // Colin Powell with two other people in the frame: three faces, his the largest.
        await page.GetByTestId("photo-input").SetInputFilesAsync(TestData.LfwPhoto("Colin_Powell", 10));
        var boxes = page.GetByTestId("face-box");
        await Assertions.Expect(boxes).ToHaveCountAsync(3);
        await Assertions.Expect(boxes.Nth(0)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        var hits = page.Locator("[data-testid=results-grid] [data-testid=hit]");
        await Assertions.Expect(hits).ToHaveCountAsync(20);
        var before = await hits.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.faceId)");

        await boxes.Nth(1).ClickAsync();
        await Assertions.Expect(page.GetByTestId("results-title")).ToContainTextAsync("face 2 of 3");
        await Assertions.Expect(boxes.Nth(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        await Assertions.Expect(page.GetByTestId("status")).ToBeHiddenAsync();
        var after = await hits.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.faceId)");
        Assert.NotEqual(before, after);
        Directory.CreateDirectory(Artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "web-multi-face.png") });
    }

    [Fact]
    public async Task A_file_that_is_not_a_photo_shows_a_clear_error()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium)");
        var address = await fixture.StartKestrelAsync(fixture.Options());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(address.ToString());

        await page.GetByTestId("photo-input").SetInputFilesAsync(new FilePayload { Name = "notes.jpg", MimeType = "image/jpeg", Buffer = "not a photo"u8.ToArray() });

        var status = page.GetByTestId("status");
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "error");
        await Assertions.Expect(status).ToContainTextAsync("not a usable photo");
    }

    [Fact]
    public async Task The_answer_banner_says_match_for_a_person_in_the_collection_and_no_match_for_a_stranger()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium)");
        var address = await fixture.StartKestrelAsync(fixture.Options());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        // A phone-sized window: the answer must be the first thing on screen.
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(address.ToString());
        var answer = page.GetByTestId("answer");

        await page.GetByTestId("photo-input").SetInputFilesAsync(ServerFixture.QueryPhoto("Tony_Blair"));
        await Assertions.Expect(answer).ToHaveTextAsync("match: Tony Blair");
        await Assertions.Expect(answer).ToHaveAttributeAsync("data-verdict", "match");
        await Assertions.Expect(answer).ToBeInViewportAsync();

        // Serena Williams is not among the collection's six people.
        await page.GetByTestId("photo-input").SetInputFilesAsync(TestData.LfwPhoto("Serena_Williams", 1));
        await Assertions.Expect(answer).ToHaveTextAsync("no match in this collection (closest faces shown)");
        await Assertions.Expect(answer).ToHaveAttributeAsync("data-verdict", "none");
        await Assertions.Expect(page.Locator("[data-testid=results-grid] [data-testid=hit]")).ToHaveCountAsync(20);

        // A refused upload clears the previous answer and results instead of showing them beside the error.
        await page.GetByTestId("photo-input").SetInputFilesAsync(new FilePayload { Name = "notes.jpg", MimeType = "image/jpeg", Buffer = "not a photo"u8.ToArray() });
        await Assertions.Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-state", "error");
        await Assertions.Expect(answer).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[data-testid=results-grid] [data-testid=hit]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task People_are_named_in_the_people_view_and_a_search_by_photo_is_grouped_under_the_name()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (apt-get install chromium)");
        const string Key = "web-people-key-0123456789";
        var address = await fixture.StartKestrelAsync(fixture.Options(fixture.ClusteredCopy()) with { ApiKey = Key });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        await page.GotoAsync(address.ToString());

        await page.GetByTestId("nav-people").ClickAsync();
        await Assertions.Expect(page.GetByTestId("people-view")).ToBeVisibleAsync();
        var named = page.Locator("[data-testid=person-tile][data-name=Colin_Powell]");
        await Assertions.Expect(named.GetByTestId("tile-title")).ToHaveTextAsync("Colin Powell");
        var colin = page.Locator($"[data-testid=person-tile][data-person-id='{await named.GetAttributeAsync("data-person-id")}']");
        await Assertions.Expect(colin.GetByTestId("tile-name")).ToHaveCountAsync(0);

        // With the key entered, each tile's name can be edited.
        await page.GetByTestId("api-key").FillAsync(Key);
        await page.GetByTestId("api-key").DispatchEventAsync("change");
        await Assertions.Expect(colin.GetByTestId("tile-name")).ToHaveValueAsync("Colin_Powell");
        await colin.GetByTestId("tile-name").FillAsync("Secretary Powell");
        await colin.GetByTestId("tile-save").ClickAsync();
        await Assertions.Expect(colin.GetByTestId("tile-title")).ToHaveTextAsync("Secretary Powell");
        Directory.CreateDirectory(Artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "web-people.png"), FullPage = true });

        await page.GetByTestId("nav-search").ClickAsync();
        await page.GetByTestId("photo-input").SetInputFilesAsync(ServerFixture.QueryPhoto("Colin_Powell"));
        var heads = page.GetByTestId("group-head");
        await Assertions.Expect(heads.First).ToContainTextAsync($"Secretary Powell · {ServerFixture.PhotosPerPerson} faces in the collection");
        var hits = page.Locator("[data-testid=results-grid] [data-testid=hit]");
        await Assertions.Expect(hits).ToHaveCountAsync(20);
        Assert.Equal("Secretary Powell", await hits.First.GetAttributeAsync("data-person"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "web-search-grouped.png"), FullPage = true });

        // Each hit leads to its person's page, which shows all of its faces.
        await page.Locator("[data-testid=results-grid] li:has([data-testid=hit])").First.GetByTestId("this-person").ClickAsync();
        await Assertions.Expect(page.GetByTestId("people-title")).ToHaveTextAsync($"Secretary Powell · {ServerFixture.PhotosPerPerson} faces");
        await Assertions.Expect(page.GetByTestId("person-face")).ToHaveCountAsync(ServerFixture.PhotosPerPerson);
        Assert.Empty(errors);
    }
}
