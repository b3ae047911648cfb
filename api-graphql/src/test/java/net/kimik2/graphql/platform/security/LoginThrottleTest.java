package net.kimik2.graphql.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final MovableClock clock = new MovableClock();
    private final LoginThrottle throttle = new LoginThrottle(
            new LoginThrottle.Limits(3, Duration.ofSeconds(1), Duration.ofSeconds(30), 6, Duration.ofMinutes(15)),
            new LoginThrottle.Limits(10, Duration.ofSeconds(1), Duration.ofSeconds(30), 20, Duration.ofMinutes(15)),
            Duration.ofMinutes(15), 1000, clock);

    private void fail(String user, String ip) {
        throttle.begin(user, ip); // counted as a failure unless it succeeds
    }

    private long refusedFor(String user, String ip) {
        try {
            throttle.begin(user, ip).abandoned();
        } catch (DomainException e) {
            assertThat(e.error().code()).isEqualTo(ErrorCode.RATE_LIMITED);
            return e.error().amount("retryAfterSeconds");
        }
        return 0;
    }

    @Test
    void delaysGrowAfterTheFreeFailuresThenTheAccountIsLocked() {
        for (int i = 0; i < 3; i++) {
            fail("ada", "10.0.0.1");
        }
        assertThat(refusedFor("ada", "10.0.0.1")).isZero();
        fail("ada", "10.0.0.1"); // 4th failure: wait 1 s
        assertThat(refusedFor("ada", "10.0.0.2")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        fail("ada", "10.0.0.3"); // 5th: 2 s
        assertThat(refusedFor("ADA ", "10.0.0.4")).isEqualTo(2); // the same account, however written
        clock.advance(Duration.ofSeconds(2));
        fail("ada", "10.0.0.5"); // 6th: locked
        assertThat(refusedFor("ada", "10.0.0.6")).isEqualTo(15 * 60);
        clock.advance(Duration.ofMinutes(14));
        assertThat(refusedFor("ada", "10.0.0.7")).isEqualTo(60);
        clock.advance(Duration.ofMinutes(1));
        assertThat(refusedFor("ada", "10.0.0.8")).isZero();
    }

    @Test
    void aLockedAccountRefusesEveryAttemptWhateverThePassword() {
        for (int i = 0; i < 6; i++) {
            fail("grace", null);
            clock.advance(Duration.ofSeconds(31));
        }
        assertThatThrownBy(() -> throttle.begin("grace", null)).isInstanceOf(DomainException.class);
    }

    @Test
    void oneIpGuessingManyAccountsIsThrottledToo() {
        for (int i = 0; i < 11; i++) {
            fail("user" + i, "192.0.2.9");
        }
        assertThat(refusedFor("someone-else", "192.0.2.9")).isEqualTo(1);
        assertThat(refusedFor("someone-else", "192.0.2.10")).isZero();
    }

    @Test
    void successTakesTheAttemptBackAndResetsTheAccount() {
        for (int i = 0; i < 3; i++) {
            fail("bob", "10.1.1.1");
        }
        throttle.begin("bob", "10.1.1.1").succeeded();
        for (int i = 0; i < 3; i++) {
            fail("bob", "10.1.1.1");
        }
        assertThat(refusedFor("bob", "10.1.1.1")).isZero();
    }

    @Test
    void failuresAreForgottenAfterTheWindow() {
        for (int i = 0; i < 3; i++) {
            fail("carol", null);
        }
        clock.advance(Duration.ofMinutes(16));
        fail("carol", null);
        assertThat(refusedFor("carol", null)).isZero();
    }
}
