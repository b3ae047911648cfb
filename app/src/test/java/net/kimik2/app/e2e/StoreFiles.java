package net.kimik2.app.e2e;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import net.kimik2.testsupport.platform.ServiceBackend;

/** Raw looks at what the service left on disk, for tests that must not trust the service's own answers. */
final class StoreFiles {

    private StoreFiles() {
    }

    /**
     * Every file that holds the stopped service's data (its data directory {@code dir}; on the {@code postgres}
     * backend also its databases' files, the write-ahead log and the view store's file), plus {@code extra}, in which
     * any marker occurs in UTF-8, UTF-16LE or UTF-16BE.
     */
    static List<String> filesContaining(Path dir, List<Path> extra, List<String> markers) throws Exception {
        List<Path> files = new ArrayList<>(extra);
        files.addAll(ServiceBackend.current().storeFiles(dir));
        List<String> hits = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException recycled) {
                continue; // a WAL segment PostgreSQL recycled since the listing
            }
            // one byte per char: String.indexOf is far faster than a byte loop over the WAL's megabytes
            String haystack = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String marker : markers) {
                for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
                    if (haystack.contains(new String(marker.getBytes(cs), StandardCharsets.ISO_8859_1))) {
                        hits.add(file + " contains " + marker + " in " + cs);
                    }
                }
            }
        }
        return hits;
    }

    /** A JDBC connection to the stopped service's {@code events} or {@code vault} store (H2 file or PostgreSQL). */
    static Connection store(Path dataDir, String name) throws Exception {
        return ServiceBackend.current().connect(dataDir, name);
    }
}
