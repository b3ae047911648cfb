package net.kimik2.axon.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Only a lost append race is retried, a bounded number of times. */
class ConcurrencyRetrySchedulerTest {

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger counted = new AtomicInteger();
    private final ConcurrencyRetryScheduler scheduler = new ConcurrencyRetryScheduler(executor, 2,
            counted::incrementAndGet);
    private final CommandMessage<?> command = GenericCommandMessage.asCommandMessage("a command");

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private static List<Class<? extends Throwable>[]> failures(int n) {
        List<Class<? extends Throwable>[]> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            Class<? extends Throwable>[] chain = new Class[] {ConcurrencyException.class};
            list.add(chain);
        }
        return list;
    }

    @Test
    void aLostAppendRaceIsDispatchedAgainUpToTheLimit() throws Exception {
        CountDownLatch dispatched = new CountDownLatch(1);
        RuntimeException race = new IllegalStateException("wrapped", new ConcurrencyException("seq 7 taken"));
        assertThat(scheduler.scheduleRetry(command, race, failures(1), dispatched::countDown)).isTrue();
        assertThat(dispatched.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.scheduleRetry(command, race, failures(3), () -> { })).isFalse();
        assertThat(counted).hasValue(1);
    }

    @Test
    void domainRefusalsAndDuplicateCreationsAreAnswersNotRetried() {
        assertThat(scheduler.scheduleRetry(command, new DomainException(ErrorCode.NOT_FOUND, "x", "no"),
                failures(1), () -> { })).isFalse();
        assertThat(scheduler.scheduleRetry(command, new AggregateStreamCreationException("exists"), failures(1),
                () -> { })).isFalse();
        assertThat(counted).hasValue(0);
    }
}
