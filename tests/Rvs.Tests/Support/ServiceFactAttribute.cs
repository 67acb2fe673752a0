namespace Rvs.Tests.Support;

/// <summary>A fact that is skipped, saying why, where the tool or service it needs cannot be had.</summary>
public abstract class ServiceFactAttribute : FactAttribute
{
    protected ServiceFactAttribute(string? whyUnavailable)
    {
        if (whyUnavailable is not null)
        {
            Skip = whyUnavailable;
        }
    }
}
