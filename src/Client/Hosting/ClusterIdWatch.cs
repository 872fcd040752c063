using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace StableSnn.Client.Hosting;

/// <summary>
/// Tells a gateway of another cluster apart from an unreachable one while the Orleans client connects.
/// </summary>
/// <remarks>
/// A gateway answers a client's connection preamble with its own, which carries the gateway's ClusterId, before either
/// side compares the ids. On a mismatch the Orleans client fails that connection with
/// <c>InvalidOperationException("Unexpected cluster id "THEIRS", expected "OURS"")</c>, logs it as a failed connection
/// attempt and keeps retrying until the caller gives up, so without this its start-up reads exactly like a cluster
/// that cannot be reached. The gateway closes the connection as soon as it has compared the ids, and often its
/// answer is lost with it: the client then sees only a connection that was accepted and closed at once
/// ("Connection terminated prematurely", "Underlying connection closed"), which a gateway of this cluster never does.
/// This provider sits in the client host's logging and completes <see cref="Refused"/> with the gateway's ClusterId the
/// first time Orleans logs the mismatch, or with null once the gateway has closed connections that way
/// <see cref="ClosesToDecide"/> times (two attempts: each logs the closed connection and the failed attempt).
/// ServiceId is not in the preamble: a client cannot learn the cluster's.
/// </remarks>
public sealed partial class ClusterIdWatch : ILoggerProvider
{
    /// <summary>Warnings of connections the gateway closed after the handshake before the watch decides without the id.</summary>
    public const int ClosesToDecide = 3;

    readonly TaskCompletionSource<string?> _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _closes;

    /// <summary>
    /// Completes when the gateway refused this client's ids: with the gateway's ClusterId when Orleans got to read it,
    /// with null when the gateway only kept closing the connections right after the handshake.
    /// </summary>
    public Task<string?> Refused => _refused.Task;

    /// <summary>How many logged failures were connections the gateway accepted and closed during the handshake.</summary>
    public int ClosedAfterHandshake => Volatile.Read(ref _closes);

    /// <summary>Whether <paramref name="error"/> is a connection the other side closed during Orleans' handshake.</summary>
    public static bool IsClosedDuringHandshake(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.ConnectionAbortedException) return true;
            if (e is InvalidOperationException && e.Message.StartsWith("Connection terminated prematurely", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>The gateway's ClusterId, when <paramref name="error"/> (or an exception inside it) is Orleans' mismatch error.</summary>
    public static string? GatewayClusterId(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate)
                return aggregate.InnerExceptions.Select(GatewayClusterId).FirstOrDefault(id => id is not null);
            if (e is InvalidOperationException && MismatchMessage().Match(e.Message) is { Success: true } match)
                return match.Groups["theirs"].Value;
        }
        return null;
    }

    public ILogger CreateLogger(string categoryName) => new Watcher(this);

    public void Dispose() { }

    void Observe(Exception? error)
    {
        if (GatewayClusterId(error) is { } theirs) _refused.TrySetResult(theirs);
        else if (IsClosedDuringHandshake(error) && Interlocked.Increment(ref _closes) >= ClosesToDecide) _refused.TrySetResult(null);
    }

    [GeneratedRegex("^Unexpected cluster id \"(?<theirs>[^\"]*)\", expected \"(?<ours>[^\"]*)\"")]
    private static partial Regex MismatchMessage();

    sealed class Watcher(ClusterIdWatch watch) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning; // failed connections are warnings

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null && IsEnabled(logLevel)) watch.Observe(exception);
        }
    }
}
