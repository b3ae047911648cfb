package net.kimik2.shredding.privacy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Files encrypted under a key scope, for large personal documents (data exports): AES-256-GCM in independent
 * 64 KiB chunks, so writing and reading both work in bounded memory and any chunk can be read on its own. Each
 * chunk is {@code nonce(12) || ciphertext || tag(16)}; its associated data binds the scope, the chunk's index and
 * whether it is the last one, so chunks cannot be reordered, swapped between files or cut off unnoticed.
 * Destroying the scope's key makes the file unreadable (crypto-shredding), wherever copies of it went.
 */
public class EncryptedFiles {

    public static final int CHUNK_SIZE = 64 * 1024;
    private static final int NONCE = 12;
    private static final int TAG = 16;
    private static final int STORED_CHUNK = NONCE + CHUNK_SIZE + TAG;

    private final DataKeys keys;
    private final SecureRandom random = new SecureRandom();

    public EncryptedFiles(DataKeys keys) {
        this.keys = keys;
    }

    /** A stream that encrypts what is written into {@code file} under the scope's key (minted for the owner). */
    public OutputStream create(Path file, String scope, String ownerId) throws IOException {
        SecretKey key = keys.forEncryption(scope, ownerId);
        OutputStream out = Files.newOutputStream(file);
        return new FilterOutputStream(out) {
            private final byte[] buffer = new byte[CHUNK_SIZE];
            private int filled;
            private int index;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    if (filled == CHUNK_SIZE) {
                        emit(false);
                    }
                    int n = Math.min(len, CHUNK_SIZE - filled);
                    System.arraycopy(b, off, buffer, filled, n);
                    filled += n;
                    off += n;
                    len -= n;
                }
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                emit(true);
                out.close();
            }

            private void emit(boolean last) throws IOException {
                byte[] nonce = new byte[NONCE];
                random.nextBytes(nonce);
                out.write(nonce);
                out.write(crypt(Cipher.ENCRYPT_MODE, key, nonce, aad(scope, index, last), buffer, filled));
                filled = 0;
                index++;
            }
        };
    }

    /** Number of chunks in the file. */
    public int chunkCount(Path file) throws IOException {
        long size = Files.size(file);
        return (int) Math.max(1, (size + STORED_CHUNK - 1) / STORED_CHUNK);
    }

    /** The plaintext of chunk {@code index}; empty when the key was destroyed or the chunk does not check out. */
    public Optional<byte[]> readChunk(Path file, String scope, int index) {
        Optional<SecretKey> key = keys.forDecryption(scope);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int count = chunkCount(file);
            if (index < 0 || index >= count) {
                return Optional.empty();
            }
            long start = (long) index * STORED_CHUNK;
            int length = (int) Math.min(STORED_CHUNK, channel.size() - start);
            ByteBuffer stored = ByteBuffer.allocate(length);
            while (stored.hasRemaining() && channel.read(stored, start + stored.position()) >= 0) {
                // read fully
            }
            byte[] bytes = stored.array();
            byte[] nonce = java.util.Arrays.copyOf(bytes, NONCE);
            byte[] body = java.util.Arrays.copyOfRange(bytes, NONCE, length);
            return Optional.of(crypt(Cipher.DECRYPT_MODE, key.get(), nonce, aad(scope, index, index == count - 1),
                    body, body.length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalStateException e) {
            return Optional.empty(); // tampered or truncated
        }
    }

    private static byte[] aad(String scope, int index, boolean last) {
        return (scope + "|" + index + "|" + last).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, byte[] aad, byte[] data, int length) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG * 8, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(data, 0, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("chunk does not check out", e);
        }
    }
}
