using Drawbridge.Edge.Storage;
using Drawbridge.Edge.Tokens;
using Drawbridge.Protocol.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// Sign-in on the edge's own host: the page listing methods, the one-time PIN, OpenID Connect
/// providers (code flow with PKCE, state and nonce), and the session cookie. Partial by concern:
/// <c>.Cli</c> has the flows the CLI drives (loopback redirect, device code, token endpoint).
/// </summary>
internal static partial class SignInEndpoints
{
    public const string Prefix = "/_drawbridge";
    public const string LoginPath = Prefix + "/login";
    public const string CallbackPath = Prefix + "/auth/callback";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(LoginPath, LoginPageAsync);
        endpoints.MapPost(LoginPath + "/pin", RequestPinAsync).DisableAntiforgery();
        endpoints.MapPost(LoginPath + "/pin/verify", VerifyPinAsync).DisableAntiforgery();
        endpoints.MapGet(LoginPath + "/oidc/{id}", StartOidcAsync);
        endpoints.MapGet(CallbackPath, OidcCallbackAsync);
        endpoints.MapGet(Prefix + "/signed-in", SignedInAsync);
        endpoints.MapPost(Prefix + "/logout", LogoutAsync).DisableAntiforgery();
        MapCli(endpoints);
    }

    private static Task LoginPageAsync(HttpContext context, SignInServices services)
    {
        string returnPath = ReturnPath.Sanitize(context.Request.Query["return"]);
        var body = new System.Text.StringBuilder();
        foreach (OidcProvider provider in services.Providers.Values)
        {
            string name = provider.Settings.DisplayName ?? provider.Settings.Id;
            body.Append(SignInPages.Link($"{LoginPath}/oidc/{provider.Settings.Id}?return={Uri.EscapeDataString(returnPath)}", "Sign in with " + name));
        }

        body.Append(SignInPages.Paragraph("Or get a one-time code by e-mail:"));
        body.Append(SignInPages.Form(LoginPath + "/pin", [("return", returnPath)], [("email", "E-mail address", "email")], ("send", "1", "Send me a code")));
        return SignInPages.WriteAsync(context, "Sign in", body.ToString());
    }

    private static async Task RequestPinAsync(HttpContext context, SignInServices services)
    {
        IFormCollection form = await ReadFormAsync(context);
        string email = form["email"].ToString().Trim();
        string returnPath = ReturnPath.Sanitize(form["return"]);
        if (!IsEmail(email))
        {
            await SignInPages.WriteAsync(context, "Sign in", SignInPages.Paragraph("That is not an e-mail address.", "error") + SignInPages.Link(LoginPath, "Try again"), StatusCodes.Status400BadRequest);
            return;
        }

        PinResult result = services.Pins.Request(email);
        if (result.Outcome == PinOutcome.Issued)
        {
            await services.PinSender.SendAsync(email, result.Code!, context.RequestAborted);
        }

        // The same page whether or not the address is known or throttled: no account enumeration.
        string body = SignInPages.Paragraph($"If {email} may sign in, a 6-digit code is on its way. It works once, for 10 minutes.") +
            SignInPages.Form(LoginPath + "/pin/verify", [("email", email), ("return", returnPath)], [("code", "Code", "text")], ("verify", "1", "Sign in"));
        await SignInPages.WriteAsync(context, "Check your e-mail", body);
    }

    private static async Task VerifyPinAsync(HttpContext context, SignInServices services)
    {
        IFormCollection form = await ReadFormAsync(context);
        string email = form["email"].ToString().Trim();
        string returnPath = ReturnPath.Sanitize(form["return"]);
        PinResult result = IsEmail(email) ? services.Pins.Verify(email, form["code"]) : new PinResult(PinOutcome.NoCode);
        if (result.Outcome != PinOutcome.Verified)
        {
            string why = result.Outcome switch
            {
                PinOutcome.Wrong => $"That code is not right; {result.TriesLeft} tries left.",
                PinOutcome.TooManyTries => "Too many wrong codes: this code no longer works. Ask for a new one.",
                PinOutcome.Expired => "That code has expired. Ask for a new one.",
                _ => "There is no code waiting for that address. Ask for a new one.",
            };
            services.Metrics.SignIn(SignInLabels.Otp, SignInLabels.Of(result.Outcome));
            await AuditSignInAsync(services, context, email, "otp", "refused: " + result.Outcome.ToString().ToLowerInvariant());
            string retry = result.Outcome == PinOutcome.Wrong
                ? SignInPages.Form(LoginPath + "/pin/verify", [("email", email), ("return", returnPath)], [("code", "Code", "text")], ("verify", "1", "Sign in"))
                : SignInPages.Link(LoginPath + "?return=" + Uri.EscapeDataString(returnPath), "Start again");
            await SignInPages.WriteAsync(context, "Sign in", SignInPages.Paragraph(why, "error") + retry, StatusCodes.Status401Unauthorized);
            return;
        }

        await CompleteSignInAsync(context, services, email, displayName: null, groups: [], "otp", returnPath);
        services.Metrics.SignIn(SignInLabels.Otp, SignInLabels.SignedIn);
    }

    private static async Task StartOidcAsync(string id, HttpContext context, SignInServices services)
    {
        if (!services.Providers.TryGetValue(id, out OidcProvider? provider))
        {
            await SignInPages.WriteAsync(context, "Sign in", SignInPages.Paragraph("There is no such sign-in method.", "error"), StatusCodes.Status404NotFound);
            return;
        }

        string state = SecretHash.ToBase64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        string nonce = SecretHash.ToBase64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        string verifier = Pkce.NewVerifier();
        if (!services.PendingSignIns.TryAdd(state, new PendingSignIn(id, nonce, verifier, ReturnPath.Sanitize(context.Request.Query["return"]))))
        {
            await SignInPages.WriteAsync(context, "Sign in", SignInPages.Paragraph("Too many sign-ins are in progress; try again in a minute.", "error"), StatusCodes.Status503ServiceUnavailable);
            return;
        }

        try
        {
            Uri authorize = await provider.AuthorizationUrlAsync(CallbackUri(services), state, nonce, Pkce.Challenge(verifier), context.RequestAborted);
            SignInStateCookie.Set(context.Response, state);
            context.Response.Redirect(authorize.ToString());
        }
        catch (SignInException ex)
        {
            await SignInPages.WriteAsync(context, "Sign in", SignInPages.Paragraph(ex.Message, "error"), StatusCodes.Status502BadGateway);
        }
    }

    private static async Task OidcCallbackAsync(HttpContext context, SignInServices services)
    {
        // The state must be this browser's (its cookie) and still pending: a callback carried to
        // another browser, an altered, replayed or expired state never makes a session (login CSRF).
        string? state = context.Request.Query["state"];
        bool fromThisBrowser = SignInStateCookie.Matches(context.Request, state);
        SignInStateCookie.Clear(context.Response);
        PendingSignIn? pending = fromThisBrowser ? services.PendingSignIns.Take(state) : null;
        if (pending is null || !services.Providers.TryGetValue(pending.ProviderId, out OidcProvider? provider))
        {
            services.Metrics.SignIn(SignInLabels.Oidc, fromThisBrowser ? SignInLabels.StateUnknown : SignInLabels.StateMismatch);
            await AuditSignInAsync(services, context, "(unknown)", "oidc",
                fromThisBrowser ? "refused: state unknown, expired or already used" : "refused: state mismatch (the sign-in was not started in this browser)");
            string why = fromThisBrowser
                ? "This sign-in link has expired or was already used. Start again."
                : "This sign-in was not started in this browser, so it was not completed here. Start again.";
            await SignInPages.WriteAsync(context, "Sign in", SignInPages.Paragraph(why, "error") +
                SignInPages.Link(LoginPath, "Sign in"), StatusCodes.Status400BadRequest);
            return;
        }

        // Which step failed is the metric's reason (never the message, which quotes the provider).
        string step = SignInLabels.ProviderError;
        try
        {
            if (context.Request.Query["error"].ToString() is { Length: > 0 } error)
            {
                throw new SignInException($"{provider.Settings.Id} refused the sign-in: {SignInPagesText(error)} {SignInPagesText(context.Request.Query["error_description"])}".TrimEnd());
            }

            step = SignInLabels.CodeExchangeFailed;
            string idToken = await provider.ExchangeCodeAsync(context.Request.Query["code"].ToString(), pending.CodeVerifier, CallbackUri(services), context.RequestAborted);
            step = SignInLabels.IdTokenRefused;
            (string email, string? name, IReadOnlyList<string> groups) = await ValidateIdTokenAsync(provider, idToken, pending.Nonce, services, context.RequestAborted);
            await CompleteSignInAsync(context, services, email, name, groups, provider.Settings.Id, pending.ReturnPath);
            services.Metrics.SignIn(SignInLabels.Oidc, SignInLabels.SignedIn, provider.Settings.Id);
        }
        catch (SignInException ex)
        {
            services.Metrics.SignIn(SignInLabels.Oidc, step, provider.Settings.Id);
            await AuditSignInAsync(services, context, "(unknown)", provider.Settings.Id, "refused: " + ex.Message);
            await SignInPages.WriteAsync(context, "Sign in failed", SignInPages.Paragraph(ex.Message, "error") + SignInPages.Link(LoginPath, "Try again"), StatusCodes.Status401Unauthorized);
        }
    }

    /// <summary>OpenID Connect Core §3.1.3.7: signature (provider's JWKS), iss, aud, exp, nonce; then the mapped claims.</summary>
    private static async Task<(string Email, string? Name, IReadOnlyList<string> Groups)> ValidateIdTokenAsync(
        OidcProvider provider, string idToken, string nonce, SignInServices services, CancellationToken cancellationToken)
    {
        OidcMetadata metadata = await provider.GetMetadataAsync(cancellationToken);
        TokenValidationResult result = default!;
        foreach (bool refresh in new[] { false, true })
        {
            JsonWebKeySet keys;
            try
            {
                keys = JsonWebKeySet.Parse(System.Text.Encoding.UTF8.GetBytes(await provider.GetJwksAsync(refresh, cancellationToken)));
            }
            catch (JsonWebKeySetException ex)
            {
                throw new SignInException($"{provider.Settings.Id}: its key set is unusable ({ex.Message})", ex);
            }

            var parameters = TokenValidationParameters.ForIdTokens(keys, provider.Settings.Issuer, provider.Settings.ClientId, nonce, metadata.SigningAlgorithms, services.Time);
            result = JwtValidator.Validate(idToken, parameters);
            if (result.IsValid || result.Failure != TokenFailure.UnknownKeyId)
            {
                break; // a new kid means the provider rotated: fetch its keys once more
            }
        }

        if (!result.IsValid)
        {
            throw new SignInException($"the ID token from {provider.Settings.Id} was refused: {result.Message}");
        }

        ValidatedToken token = result.Token!;
        string? email = token.GetString(provider.Settings.EmailClaim);
        if (string.IsNullOrWhiteSpace(email) || !IsEmail(email))
        {
            throw new SignInException($"{provider.Settings.Id} did not say who you are: its ID token has no '{provider.Settings.EmailClaim}' claim (ask for the email scope)");
        }

        if (token.Payload.TryGetProperty("email_verified", out var verified) && verified.ValueKind == System.Text.Json.JsonValueKind.False)
        {
            throw new SignInException($"{provider.Settings.Id} says {email} is not verified");
        }

        List<string> groups = [];
        if (token.Payload.TryGetProperty(provider.Settings.GroupsClaim, out var claim) && claim.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            groups.AddRange(claim.EnumerateArray().Where(g => g.ValueKind == System.Text.Json.JsonValueKind.String).Select(g => g.GetString()!).Take(200));
        }

        return (email, token.GetString(provider.Settings.NameClaim), groups);
    }

    private static async Task CompleteSignInAsync(HttpContext context, SignInServices services, string email, string? displayName, IReadOnlyList<string> groups, string method, string returnPath)
    {
        byte[] secret = SecretHash.NewSecret();
        DateTimeOffset expires = services.Time.GetUtcNow() + SignInServices.SessionLifetime;
        UserSession session = await services.State.Store.CreateSessionAsync(SecretHash.Hash(secret), email, displayName, groups, method,
            context.Connection.RemoteIpAddress?.ToString(), expires, context.RequestAborted);
        await services.State.RefreshAsync(context.RequestAborted);
        SessionCookie.Set(context.Response, session.Id, secret, expires);
        await AuditSignInAsync(services, context, session.Email, method, "signed in");
        context.Response.Redirect(returnPath);
    }

    private static async Task SignedInAsync(HttpContext context, SignInServices services)
    {
        UserSession? session = await CurrentSessionAsync(context, services);
        await SignInPages.WriteAsync(context, "Signed in", session is null
            ? SignInPages.Paragraph("You are not signed in.") + SignInPages.Link(LoginPath, "Sign in")
            : SignInPages.Paragraph($"You are signed in as {session.Email}. You can close this window.") +
              (RouteHostname.TryNormalize(context.Request.Query["app"], out string app, out _)
                  ? SignInPages.Paragraph($"{app} carries TCP, not web pages: to reach it from this computer, run drawbridge access tcp --hostname {app} --url localhost:PORT", "muted")
                  : ""));
    }

    private static async Task LogoutAsync(HttpContext context, SignInServices services)
    {
        if (await CurrentSessionAsync(context, services) is { } session)
        {
            await services.State.Store.RevokeSessionAsync(session.Id, "signed out", context.RequestAborted);
            await services.State.RefreshAsync(context.RequestAborted);
        }

        SessionCookie.Clear(context.Response);
        await SignInPages.WriteAsync(context, "Signed out", SignInPages.Paragraph("You are signed out."));
    }

    /// <summary>The live session of the browser's cookie; null when absent, forged, revoked or expired.</summary>
    internal static async Task<UserSession?> CurrentSessionAsync(HttpContext context, SignInServices services)
    {
        if (!SessionCookie.TryRead(context.Request, out Guid id, out byte[]? secret) ||
            await services.State.Store.GetSessionAsync(id, context.RequestAborted) is not { } session ||
            !SecretHash.Matches(secret, session.SecretHash) ||
            session.RevokedAt is not null || session.ExpiresAt <= services.Time.GetUtcNow())
        {
            return null;
        }

        return session;
    }

    private static Uri CallbackUri(SignInServices services) => new(services.PublicUrl + CallbackPath);

    private static async Task AuditSignInAsync(SignInServices services, HttpContext context, string actor, string method, string outcome)
    {
        string client = context.Connection.RemoteIpAddress?.ToString() ?? "";
        EdgeLog.SignIn(services.Logger, actor, method, client, outcome);
        await services.State.Store.AppendAuditAsync(new AuditEvent(0, services.Time.GetUtcNow(), "sign_in", actor, null, outcome, null, client, null, null, null, "method: " + method), CancellationToken.None);
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpContext context) =>
        context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;

    internal static bool IsEmail(string? text) =>
        text is { Length: > 2 and <= 254 } && text.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at < text.Length - 1 &&
        !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) && text.Count(c => c == '@') == 1;

    private static string SignInPagesText(string? text) => text is null ? "" : new string([.. text.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
}
