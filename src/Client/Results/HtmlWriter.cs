using System.Net;
using System.Text;

namespace StableSnn.Client.Results;

/// <summary>
/// A minimal HTML builder: every text and attribute value goes through <see cref="WebUtility.HtmlEncode"/>; only
/// <see cref="Raw"/> (for the page's own constant CSS and script) writes unescaped.
/// </summary>
public sealed class HtmlWriter
{
    readonly StringBuilder _text = new();
    readonly Stack<string> _open = new();

    /// <summary>Opens an element; attributes with a null value are left out, "" gives a bare attribute value.</summary>
    public HtmlWriter Open(string tag, params (string Name, string? Value)[] attributes)
    {
        StartTag(tag, attributes);
        _open.Push(tag);
        return this;
    }

    public HtmlWriter Close()
    {
        _text.Append("</").Append(_open.Pop()).Append('>');
        return this;
    }

    /// <summary>An element holding only text.</summary>
    public HtmlWriter Element(string tag, string? text, params (string Name, string? Value)[] attributes)
    {
        StartTag(tag, attributes);
        Text(text);
        _text.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>An element without content or end tag (img, meta, input, br).</summary>
    public HtmlWriter Void(string tag, params (string Name, string? Value)[] attributes)
    {
        StartTag(tag, attributes);
        return this;
    }

    public HtmlWriter Text(string? text)
    {
        _text.Append(WebUtility.HtmlEncode(text ?? ""));
        return this;
    }

    /// <summary>Unescaped: for constant markup of the page itself, never for data.</summary>
    public HtmlWriter Raw(string html)
    {
        _text.Append(html);
        return this;
    }

    public override string ToString()
    {
        if (_open.Count > 0) throw new InvalidOperationException($"unclosed elements: {string.Join(", ", _open)}");
        return _text.ToString();
    }

    void StartTag(string tag, (string Name, string? Value)[] attributes)
    {
        _text.Append('<').Append(tag);
        foreach (var (name, value) in attributes)
            if (value is not null)
                _text.Append(' ').Append(name).Append("=\"").Append(WebUtility.HtmlEncode(value)).Append('"');
        _text.Append('>');
    }
}
