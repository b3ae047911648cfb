package net.kimik2.shredding.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFilesTest {

    @TempDir
    Path dir;
    private PrivacyTestSupport support;

    @AfterEach
    void close() {
        support.close();
    }

    @Test
    void roundTripsInChunksHidesThePlaintextAndIsShreddedWithItsKey() throws Exception {
        support = new PrivacyTestSupport(dir);
        EncryptedFiles files = new EncryptedFiles(support.keys);
        byte[] plain = new byte[EncryptedFiles.CHUNK_SIZE * 2 + 1234];
        new Random(7).nextBytes(plain);
        byte[] marker = "MARKER-q7zx".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(marker, 0, plain, 100, marker.length);
        Path file = dir.resolve("export.enc");
        try (OutputStream out = files.create(file, "export:x-1", "u-1")) {
            for (int i = 0; i < plain.length; i += 1000) { // odd-sized writes cross chunk borders
                out.write(plain, i, Math.min(1000, plain.length - i));
            }
        }
        assertThat(files.chunkCount(file)).isEqualTo(3);
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).doesNotContain("MARKER-q7zx");
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        for (int i = 0; i < files.chunkCount(file); i++) {
            back.write(files.readChunk(file, "export:x-1", i).orElseThrow());
        }
        assertThat(back.toByteArray()).isEqualTo(plain);
        assertThat(files.readChunk(file, "export:x-2", 0)).as("another scope's key").isEmpty();
        assertThat(support.keys.scopesOwnedBy("u-1")).contains("export:x-1");

        support.keys.fence("export:x-1", "u-1", "erasure-1");
        support.keys.destroy("export:x-1");
        assertThat(files.readChunk(file, "export:x-1", 0)).isEmpty();
    }

    @Test
    void aTruncatedOrTamperedFileDoesNotCheckOut() throws Exception {
        support = new PrivacyTestSupport(dir);
        EncryptedFiles files = new EncryptedFiles(support.keys);
        Path file = dir.resolve("export.enc");
        try (OutputStream out = files.create(file, "export:x-1", "u-1")) {
            out.write(new byte[EncryptedFiles.CHUNK_SIZE + 10]);
        }
        byte[] stored = Files.readAllBytes(file);
        // cut after the first chunk: that chunk was not written as the last one
        Files.write(file, Arrays.copyOf(stored, 12 + EncryptedFiles.CHUNK_SIZE + 16));
        assertThat(files.readChunk(file, "export:x-1", 0)).isEmpty();
        stored[40] ^= 1;
        Files.write(file, stored);
        assertThat(files.readChunk(file, "export:x-1", 0)).isEmpty();
        assertThat(files.readChunk(file, "export:x-1", 1)).isPresent();
    }
}
