package net.kimik2.graphql.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class OriginPolicyTest {

    private final OriginPolicy sameOriginOnly = new OriginPolicy(List.of());
    private final OriginPolicy withApp = new OriginPolicy(List.of("https://app.example.org", " http://localhost:3000/ "));

    private static MockHttpServletRequest request(String method, String origin) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, "/graphql");
        request.setScheme("https");
        request.setServerName("api.example.org");
        request.setServerPort(443);
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        return request;
    }

    private static MockHttpServletRequest upgrade(String origin) {
        MockHttpServletRequest request = request("GET", origin);
        request.addHeader("Upgrade", "websocket");
        request.addHeader("Connection", "Upgrade");
        return request;
    }

    private static MockHttpServletRequest withCookie(MockHttpServletRequest request) {
        request.setCookies(new Cookie(TokenAuthenticationFilter.COOKIE, "v1.token.sig"));
        return request;
    }

    private static boolean passes(OriginPolicy policy, MockHttpServletRequest request) throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = new MockHttpServletResponse();
        policy.doFilter(request, response, chain);
        if (chain.getRequest() == null) {
            assertThat(response.getStatus()).isEqualTo(403);
            assertThat(response.getContentAsString()).contains("\"code\":\"FORBIDDEN\"");
            return false;
        }
        return true;
    }

    @Test
    void webSocketUpgradesOnlyFromAllowedOrigins() throws Exception {
        assertThat(passes(sameOriginOnly, upgrade("https://api.example.org"))).isTrue();
        assertThat(passes(sameOriginOnly, upgrade("https://api.example.org:443"))).isTrue();
        assertThat(passes(sameOriginOnly, upgrade("https://evil.example.org"))).isFalse();
        assertThat(passes(sameOriginOnly, withCookie(upgrade("https://evil.example.org")))).isFalse();
        assertThat(passes(sameOriginOnly, upgrade("http://api.example.org"))).isFalse(); // another scheme
        assertThat(passes(sameOriginOnly, upgrade("null"))).isFalse();
        assertThat(passes(sameOriginOnly, upgrade(null))).isTrue(); // not a browser
        assertThat(passes(withApp, upgrade("https://APP.example.org"))).isTrue();
        assertThat(passes(withApp, upgrade("http://localhost:3000"))).isTrue();
        assertThat(passes(withApp, upgrade("http://localhost:3001"))).isFalse();
    }

    @Test
    void cookieAuthenticatedRequestsOnlyFromAllowedOrigins() throws Exception {
        assertThat(passes(sameOriginOnly, withCookie(request("POST", "https://api.example.org")))).isTrue();
        assertThat(passes(sameOriginOnly, withCookie(request("POST", "https://evil.example.org")))).isFalse();
        assertThat(passes(sameOriginOnly, withCookie(request("GET", "https://evil.example.org")))).isFalse();
        assertThat(passes(withApp, withCookie(request("POST", "https://app.example.org")))).isTrue();
    }

    @Test
    void aCookieAuthenticatedPostWithoutOriginPassesOnlyWhenNotCrossSite() throws Exception {
        assertThat(passes(sameOriginOnly, withCookie(request("POST", null)))).isTrue(); // not a browser
        MockHttpServletRequest crossSite = withCookie(request("POST", null));
        crossSite.addHeader("Sec-Fetch-Site", "cross-site");
        assertThat(passes(sameOriginOnly, crossSite)).isFalse();
        MockHttpServletRequest sameSite = withCookie(request("POST", null));
        sameSite.addHeader("Sec-Fetch-Site", "same-site");
        assertThat(passes(sameOriginOnly, sameSite)).isFalse();
        MockHttpServletRequest sameOrigin = withCookie(request("POST", null));
        sameOrigin.addHeader("Sec-Fetch-Site", "same-origin");
        assertThat(passes(sameOriginOnly, sameOrigin)).isTrue();
    }

    @Test
    void bearerAndAnonymousRequestsAreNotCrossSiteForgeable() throws Exception {
        MockHttpServletRequest bearer = withCookie(request("POST", "https://evil.example.org"));
        bearer.addHeader("Authorization", "Bearer v1.token.sig");
        assertThat(passes(sameOriginOnly, bearer)).isTrue();
        assertThat(passes(sameOriginOnly, request("POST", "https://evil.example.org"))).isTrue();
    }
}
