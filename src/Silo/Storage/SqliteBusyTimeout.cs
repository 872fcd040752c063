using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace StableSnn.Silo.Storage;

/// <summary>
/// Makes SQLite itself wait for a locked database (its busy timeout) on every connection this process opens.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite sets no busy timeout: when a statement meets another connection's write lock it gets
/// SQLITE_BUSY at once and retries after a fixed <c>Thread.Sleep(150)</c> until the command timeout, so the loser
/// of a collision waited at least 150 ms however short the winner's write was (bench/README.md, scheduler bench).
/// With <c>busy_timeout</c> set SQLite's own busy handler waits instead, retrying after 1, 2, 5, 10 ... ms, and the
/// statement goes on as soon as the lock is free. The Orleans ADO.NET providers create their connections from
/// <c>SqliteFactory.Instance</c> with no hook, and the pragma is per connection, so it is set through SQLite's
/// documented per-open hook, <c>sqlite3_auto_extension</c>, which runs for every connection opened afterwards.
/// Process-wide: the last <see cref="Install"/> sets the timeout for connections opened after it.
/// </remarks>
public static class SqliteBusyTimeout
{
    /// <summary>Microsoft.Data.Sqlite's default command timeout (30 s): SQLite waits as long as a command may.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    private static readonly Lock Gate = new();
    private static int _milliseconds;
    private static EntryPoint? _entryPoint; // kept alive: SQLite holds a pointer to it for the life of the process

    /// <summary>The busy timeout of connections opened from now on (zero before <see cref="Install"/>).</summary>
    public static TimeSpan Current => TimeSpan.FromMilliseconds(Volatile.Read(ref _milliseconds));

    /// <summary>The busy timeout that matches a connection string: its <c>Default Timeout</c> (30 s unless set).</summary>
    public static TimeSpan For(string connectionString)
    {
        var seconds = new SqliteConnectionStringBuilder(connectionString).DefaultTimeout;
        return seconds > 0 ? TimeSpan.FromSeconds(seconds) : Default;
    }

    /// <summary>Sets <paramref name="timeout"/> as the busy timeout of every SQLite connection opened from now on.</summary>
    public static void Install(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var ms = (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
        lock (Gate)
        {
            Volatile.Write(ref _milliseconds, ms);
            if (_entryPoint is not null) return;
            var entryPoint = new EntryPoint(OnOpen);
            var rc = NativeMethods.sqlite3_auto_extension(Marshal.GetFunctionPointerForDelegate(entryPoint));
            if (rc != 0)
            {
                throw new InvalidOperationException($"sqlite3_auto_extension failed with SQLite error {rc}.");
            }
            _entryPoint = entryPoint;
        }
    }

    // Runs inside sqlite3_open_v2 for each new connection; a non-zero return would fail the open.
    private static int OnOpen(IntPtr db, IntPtr errorMessage, IntPtr api)
    {
        var ms = Volatile.Read(ref _milliseconds);
        return ms > 0 ? NativeMethods.sqlite3_busy_timeout(db, ms) : 0;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int EntryPoint(IntPtr db, IntPtr errorMessage, IntPtr api);

    private static class NativeMethods
    {
        // The library SQLitePCLRaw's bundle (Microsoft.Data.Sqlite's default) loads, by the same name, so the same file:
        // the auto-extension is registered in the SQLite that opens the providers' connections (a test checks it).
        private const string Library = "e_sqlite3";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        public static extern int sqlite3_auto_extension(IntPtr entryPoint);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        public static extern int sqlite3_busy_timeout(IntPtr db, int milliseconds);
    }
}
