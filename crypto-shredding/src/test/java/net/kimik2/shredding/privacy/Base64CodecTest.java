package net.kimik2.shredding.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64CodecTest {

    private static final byte[] PREFIX = "enc1:".getBytes(StandardCharsets.US_ASCII);

    @Test
    void encodesExactlyAsTheJdkWithoutPaddingAndDecodesPaddedAndUnpadded() {
        Random random = new Random(7);
        for (int length = 0; length < 300; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            String jdk = Base64.getEncoder().withoutPadding().encodeToString(data);

            assertThat(Base64Codec.encode(PREFIX, data)).isEqualTo("enc1:" + jdk);
            assertThat(Base64Codec.decode("enc1:" + jdk, 5)).isEqualTo(data);
            assertThat(Base64Codec.decode("enc1:" + Base64.getEncoder().encodeToString(data), 5)).isEqualTo(data);
        }
    }

    @Test
    void encodesEveryTwelveBitGroupInBothHalvesOfATriple() {
        byte[] data = new byte[4096 * 3];
        for (int k = 0; k < 4096; k++) {
            int bits = k << 12 | (4095 - k); // each 12-bit value once in the high half and once in the low half
            data[3 * k] = (byte) (bits >>> 16);
            data[3 * k + 1] = (byte) (bits >>> 8);
            data[3 * k + 2] = (byte) bits;
        }
        assertThat(Base64Codec.encode(PREFIX, data))
                .isEqualTo("enc1:" + Base64.getEncoder().withoutPadding().encodeToString(data));
    }

    @Test
    void rejectsWhatTheJdkDecoderRejects() {
        for (String bad : new String[] {"A", "AAAAA", "AA=", "A===", "====", "AA*A", "AAAA\u00e9AAA", "AA AA", "AA==AA=="}) {
            assertThatThrownBy(() -> Base64.getDecoder().decode(bad)).as("JDK: %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Base64Codec.decode("enc1:" + bad, 5)).as("codec: %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
