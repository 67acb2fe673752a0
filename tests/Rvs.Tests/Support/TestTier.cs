namespace Rvs.Tests.Support;

/// <summary>
/// The suite's two tiers. Classes that start a Garnet server, a Kestrel server with a browser, or pack and install
/// the tool carry <c>[Trait(TestTier.Name, TestTier.Full)]</c>; `./test --fast` leaves them out with
/// <c>--filter Tier!=Full</c>, and plain `./test` runs everything.
/// </summary>
public static class TestTier
{
    public const string Name = "Tier";

    public const string Full = "Full";
}
