package net.kimik2.query.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.audit.FindViewProcessorsQuery;
import net.kimik2.api.audit.ReplayProgress;
import net.kimik2.api.audit.ReplayViewsCommand;
import net.kimik2.api.audit.ViewProcessorStatus;
import net.kimik2.api.audit.ViewProcessors;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Replays views from the event log and reports how far each view processor is (the operators' audit tool). */
@Component
class ViewReplay {

    private static final Logger log = LoggerFactory.getLogger(ViewReplay.class);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final List<String> viewProcessors;
    /** The latest replay of each processor: where the head was when it started, and when. */
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private record Run(Instant startedAt, long total) {
    }

    ViewReplay(EventProcessingConfiguration processing, EventStore eventStore,
               @Value("${kimi.processing.view-processors:}") List<String> viewProcessors) {
        this.processing = processing;
        this.eventStore = eventStore;
        this.viewProcessors = List.copyOf(viewProcessors);
    }

    @CommandHandler
    void handle(ReplayViewsCommand command, @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        if (!Role.ADMIN.name().equals(actorRole)) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "only an admin may replay views");
        }
        if (command.processors().isEmpty()) {
            throw DomainException.validation("processors", "name at least one view processor");
        }
        for (String name : command.processors()) {
            if (!viewProcessors.contains(name)) {
                throw DomainException.validation("processors", "unknown view processor; known: " + viewProcessors);
            }
        }
        List<String> names = command.processors().stream().distinct().toList();
        Long head = position(eventStore.createHeadToken());
        synchronized (runs) {
            // two replays of one view at once would reset it under its own feet
            for (String name : names) {
                ViewProcessorStatus status = status(name, streaming(name).orElseThrow(), head);
                if (status.replay() != null && !status.replay().finished()) {
                    throw DomainException.validation("processors", "a replay of " + name + " is still running");
                }
            }
            Instant now = clock.instant();
            names.forEach(name -> runs.put(name, new Run(now, head == null ? 0 : head + 1)));
        }
        List<StreamingEventProcessor> processors = names.stream().map(n -> streaming(n).orElseThrow()).toList();
        // all at once: each shutdown waits up to a poll interval (1 s) for its worker, one after the other took ~5 s
        CompletableFuture.allOf(processors.stream().map(StreamingEventProcessor::shutdownAsync)
                .toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        for (int i = 0; i < processors.size(); i++) {
            processors.get(i).resetTokens();
            processors.get(i).start();
            log.info("replaying view processor {}", names.get(i));
        }
    }

    @QueryHandler
    ViewProcessors handle(FindViewProcessorsQuery query) {
        Long head = position(eventStore.createHeadToken());
        return new ViewProcessors(viewProcessors.stream()
                .map(name -> streaming(name).map(p -> status(name, p, head))
                        .orElse(new ViewProcessorStatus(name, false, false, false, null, head, "not a streaming processor")))
                .toList());
    }

    private Optional<StreamingEventProcessor> streaming(String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class);
    }

    private ViewProcessorStatus status(String name, StreamingEventProcessor processor, Long head) {
        var statuses = processor.processingStatus().values();
        boolean replaying = statuses.stream().anyMatch(EventTrackerStatus::isReplaying);
        boolean caughtUp = !statuses.isEmpty() && statuses.stream().allMatch(EventTrackerStatus::isCaughtUp);
        Long position = statuses.stream().map(s -> s.getCurrentPosition())
                .filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).min(Long::compare).orElse(null);
        String error = statuses.stream().filter(EventTrackerStatus::isErrorState)
                .map(s -> s.getError() == null ? "error" : s.getError().getClass().getSimpleName())
                .findFirst().orElse(null);
        Long lag = position == null || head == null ? null : Math.max(0, head - position);
        Double lagSeconds = lag == null ? null : lag == 0 ? Double.valueOf(0) : ageOfNextEvent(statuses.stream()
                .map(EventTrackerStatus::getTrackingToken).filter(java.util.Objects::nonNull)
                .min(java.util.Comparator.comparingLong(t -> t.position().orElse(Long.MAX_VALUE))).orElse(null));
        return new ViewProcessorStatus(name, processor.isRunning(), replaying, caughtUp, position, head, error, lag,
                lagSeconds, progress(name, caughtUp, position, head));
    }

    /** How old the first event after {@code token} is: one indexed read of the store. */
    private Double ageOfNextEvent(TrackingToken token) {
        try (BlockingStream<TrackedEventMessage<?>> stream = eventStore.openStream(WrappedToken.unwrapLowerBound(token))) {
            if (stream.hasNextAvailable()) {
                Instant at = stream.nextAvailable().getTimestamp();
                return Math.max(0, Duration.between(at, clock.instant()).toMillis()) / 1000.0;
            }
            return 0.0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            log.debug("lag of a view processor not measured", e);
            return null;
        }
    }

    /** Done counts positions handled since the start of the log; the rate is over the whole run so far. */
    private ReplayProgress progress(String name, boolean caughtUp, Long position, Long head) {
        Run run = runs.get(name);
        if (run == null) {
            return null;
        }
        long done = position == null ? 0 : Math.min(run.total(), position + 1);
        boolean finished = caughtUp && position != null && head != null && position >= head && done >= run.total();
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), clock.instant()).toMillis() / 1000.0);
        double rate = done / seconds;
        Long eta = finished ? Long.valueOf(0) : rate <= 0 ? null : (long) Math.ceil((run.total() - done) / rate);
        return new ReplayProgress(finished ? run.total() : done, run.total(), rate, eta, run.startedAt(), finished);
    }

    private static Long position(TrackingToken token) {
        return token == null ? null : token.position().stream().boxed().findFirst().orElse(null);
    }
}
