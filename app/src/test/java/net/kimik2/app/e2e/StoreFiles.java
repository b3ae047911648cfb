package net.kimik2.app.e2e;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Raw looks at what the service left on disk, for tests that must not trust the service's own answers. */
final class StoreFiles {

    private StoreFiles() {
    }

    /** Every file under {@code dir}, plus {@code extra}, in which any marker occurs in UTF-8, UTF-16LE or UTF-16BE. */
    static List<String> filesContaining(Path dir, List<Path> extra, List<String> markers) throws IOException {
        List<Path> files = new ArrayList<>(extra);
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        List<String> hits = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            for (String marker : markers) {
                for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
                    if (indexOf(bytes, marker.getBytes(cs)) >= 0) {
                        hits.add(file + " contains " + marker + " in " + cs);
                    }
                }
            }
        }
        return hits;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A JDBC connection to one of the stopped service's H2 files ({@code events} or {@code vault}). */
    static Connection h2(Path dataDir, String name) throws Exception {
        String user = name.equals("events") ? "sa" : ""; // the vault is opened without a user name
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve(name) + ";ACCESS_MODE_DATA=r", user, "");
    }
}
