using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// The few HTML pages of sign-in, rendered on the server: no scripts, no external fonts or
/// styles (the edge may run where the internet is not reachable), every value HTML-encoded.
/// </summary>
internal static class SignInPages
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}" +
        "h1{font-size:1.4rem}form{margin:1rem 0}input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box;margin:.3rem 0}" +
        "button,a.button{display:block;font-size:1rem;padding:.6rem;margin:.5rem 0;width:100%;text-align:center;border:1px solid #444;" +
        "background:#f4f4f4;color:#222;text-decoration:none;border-radius:4px;cursor:pointer}.error{color:#a00}.muted{color:#666;font-size:.9rem}";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Encode(string text) => Html.Encode(text);

    public static Task WriteAsync(HttpContext context, string title, string body, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        // Pages are not framed (clickjacking) and not cached (they carry per-user state).
        context.Response.Headers["X-Frame-Options"] = "DENY";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        string page = $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">" +
                      $"<title>{Encode(title)} · Drawbridge</title><style>{Style}</style></head><body><h1>{Encode(title)}</h1>{body}</body></html>";
        return context.Response.WriteAsync(page);
    }

    public static string Paragraph(string text, string? cssClass = null) =>
        cssClass is null ? $"<p>{Encode(text)}</p>" : $"<p class=\"{cssClass}\">{Encode(text)}</p>";

    public static string Link(string href, string text) => $"<a class=\"button\" href=\"{Encode(href)}\">{Encode(text)}</a>";

    /// <summary>A POST form with hidden fields, visible inputs (name, label, type) and one button per (name, value, label).</summary>
    public static string Form(string action, IEnumerable<(string Name, string Value)> hidden, IEnumerable<(string Name, string Label, string Type)> inputs, params (string Name, string Value, string Label)[] buttons)
    {
        var form = new StringBuilder($"<form method=\"post\" action=\"{Encode(action)}\">");
        foreach (var (name, value) in hidden)
        {
            form.Append($"<input type=\"hidden\" name=\"{Encode(name)}\" value=\"{Encode(value)}\">");
        }

        foreach (var (name, label, type) in inputs)
        {
            form.Append($"<label>{Encode(label)}<input name=\"{Encode(name)}\" type=\"{Encode(type)}\" required autocomplete=\"off\"></label>");
        }

        foreach (var (name, value, label) in buttons)
        {
            form.Append($"<button type=\"submit\" name=\"{Encode(name)}\" value=\"{Encode(value)}\">{Encode(label)}</button>");
        }

        return form.Append("</form>").ToString();
    }
}
