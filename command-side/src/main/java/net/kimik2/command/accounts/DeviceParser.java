package net.kimik2.command.accounts;

import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;
import java.util.concurrent.CompletableFuture;
import ua_parser.CachingParser;
import ua_parser.Client;
import ua_parser.Parser;

/**
 * Device type, OS and browser from a User-Agent, with uap-java and the ua-parser project's maintained regexes
 * (ADR 0020). The parsed families only are kept: no raw User-Agent is stored.
 */
@Component
class DeviceParser {

    private static final int MAX_LENGTH = 512; // longer strings are truncated before parsing (regex cost)
    private static final Set<String> DESKTOP_OS = Set.of("windows", "mac os x", "linux", "ubuntu", "chrome os",
            "fedora", "debian", "freebsd", "macos");
    private static final Set<String> MOBILE_OS = Set.of("ios", "android", "windows phone", "blackberry os");

    /**
     * Building the parser compiles a few hundred regexes (about 2 s on this machine kind under load, ADR 0020): it
     * happens on a background thread from startup, so neither startup nor (usually) the first login waits for it.
     * The caching parser answers repeated User-Agents (most logins) without running the regexes again.
     */
    private final CompletableFuture<Parser> parser = CompletableFuture.supplyAsync(CachingParser::new);

    DeviceInfo parse(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return DeviceInfo.UNKNOWN;
        }
        Client client = parser.join().parse(userAgent.length() > MAX_LENGTH ? userAgent.substring(0, MAX_LENGTH) : userAgent);
        String os = client.os == null ? "Other" : client.os.family;
        String browser = client.userAgent == null ? "Other" : client.userAgent.family;
        String device = client.device == null ? "Other" : client.device.family;
        return new DeviceInfo(type(device, os), os, browser);
    }

    private static String type(String device, String os) {
        String d = device.toLowerCase(Locale.ROOT);
        String o = os.toLowerCase(Locale.ROOT);
        if (d.equals("spider")) {
            return "bot";
        }
        if (d.contains("ipad") || d.contains("tablet") || d.contains("kindle")) {
            return "tablet";
        }
        if (MOBILE_OS.contains(o) || d.contains("iphone")) {
            return "mobile";
        }
        if (DESKTOP_OS.contains(o)) {
            return "desktop";
        }
        return "other";
    }
}
