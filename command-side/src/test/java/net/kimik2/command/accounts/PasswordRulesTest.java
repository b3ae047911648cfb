package net.kimik2.command.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PasswordRulesTest {

    @Test
    void bundlesTheTenThousandMostCommonPasswords() {
        assertThat(PasswordRules.commonCount()).isGreaterThanOrEqualTo(9_900);
        assertThat(PasswordRules.isCommon("password")).isTrue();
        assertThat(PasswordRules.isCommon("QWERTY123456")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"123456789012", "aaaaaaaaaaaa", "passwordpassword", "abcabcabcabc", "abcdefghijkl",
            "987654321098", "qwerty123456", "1qaz2wsx3edc", "ZZZZZZZZZZZZZZ", "lkjihgfedcba", "alice_walice_w",
            "alice_w2026", "alice@example.org", "alicealicealice"})
    void refusesCommonAndTrivialPasswords(String password) {
        assertThatThrownBy(() -> PasswordRules.check(password, "alice_w", "alice@example.org"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.error().field()).isEqualTo("password");
                    assertThat(e.error().message()).doesNotContain(password);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"correct horse battery", "kx7!qmz2bv9w", "wrong password for the log",
            "admin password for the recovery test", "bench-password-2026", "alice_w and a long sentence"})
    void acceptsOtherPasswords(String password) {
        assertThatCode(() -> PasswordRules.check(password, "alice_w", "alice@example.org")).doesNotThrowAnyException();
    }
}
