using Rvs.Testing;

namespace Rvs.Tests.Support;

/// <summary>A fact that is skipped, saying why, where no PostgreSQL server can be had (see <see cref="PostgresServer"/>).</summary>
public sealed class PostgresFactAttribute() : ServiceFactAttribute(PostgresServer.WhyUnavailable);
