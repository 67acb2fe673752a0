using Rvs.Tests.Catalog;

namespace Rvs.Tests;

/// <summary>
/// Entry point of the test assembly when a test starts it as a child process (`dotnet exec Rvs.Tests.dll role …`),
/// so it can do real work in a process the test may kill outright. The test runner never calls it.
/// </summary>
public static class TestProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == SlowIndexingChild.Role)
        {
            return SlowIndexingChild.Run(args[1..]);
        }

        Console.Error.WriteLine("Rvs.Tests is run by a test runner; as a program it only serves child-process roles.");
        return 2;
    }
}
