using Spectre.Console;

namespace StableSnn.Client.Tests;

/// <summary>What a command prints, as a redirected stdout gets it: no colours, 1,000 columns, one string per line.</summary>
internal static class ConsoleCapture
{
    public static string[] Render(Action<IAnsiConsole> print)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 1000;
        print(console);
        return writer.ToString().Split('\n');
    }
}
