package net.kimik2.graphql.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.junit.jupiter.api.Test;

class CredentialBulkheadTest {

    @Test
    void aSaturatedBulkheadRefusesFastWithBusyAndARetryHint() throws Exception {
        CredentialBulkhead bulkhead = new CredentialBulkhead(1, Duration.ofMillis(50));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> hashing = CompletableFuture.supplyAsync(() -> bulkhead.run(() -> {
            inside.countDown();
            await(release);
            return "hashed";
        }));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        assertThatThrownBy(() -> bulkhead.run(() -> "second"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(ErrorCode.BUSY);
                    assertThat(e.error().amount("retryAfterSeconds")).isEqualTo(1);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

        release.countDown();
        assertThat(hashing.get(5, TimeUnit.SECONDS)).isEqualTo("hashed");
        assertThat(bulkhead.run(() -> "after")).isEqualTo("after"); // the permit came back
    }

    @Test
    void aFailingCommandGivesItsPermitBack() {
        CredentialBulkhead bulkhead = new CredentialBulkhead(1, Duration.ofMillis(10));
        assertThatThrownBy(() -> bulkhead.run(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(bulkhead.run(() -> 42)).isEqualTo(42);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
