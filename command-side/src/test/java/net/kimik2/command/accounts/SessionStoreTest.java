package net.kimik2.command.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.ActiveSession;
import net.kimik2.api.accounts.FindActiveSessionQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.accounts.UserLoggedOutEvent;
import net.kimik2.command.testsupport.H2;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Drives the store through Axon's annotation adapters and query bus, on a private H2 database. */
class SessionStoreTest {

    private JdbcTemplate jdbc;
    private AnnotationEventHandlerAdapter events;
    private QueryGateway queries;

    @BeforeEach
    void setUp() {
        jdbc = new JdbcTemplate(H2.newDatabase());
        SessionStore store = new SessionStore(jdbc, (io.micrometer.core.instrument.MeterRegistry) null, 1000, Duration.ofMinutes(10));
        events = new AnnotationEventHandlerAdapter(store);
        SimpleQueryBus bus = SimpleQueryBus.builder().build();
        new AnnotationQueryHandlerAdapter<>(store).subscribe(bus);
        queries = DefaultQueryGateway.builder().queryBus(bus).build();
    }

    private void publish(Object event) throws Exception {
        events.handle(GenericEventMessage.asEventMessage(event));
    }

    private Optional<ActiveSession> find(String sessionId) {
        return queries.query(new FindActiveSessionQuery(sessionId), ResponseTypes.optionalInstanceOf(ActiveSession.class))
                .join();
    }

    private static AccountRegisteredEvent registered(String userId, Role role) {
        return new AccountRegisteredEvent(userId, "N", userId + "@example.com", userId, "hash", "p", role, Instant.now());
    }

    @Test
    void loggedInSessionIsActiveWithTheAccountRole() throws Exception {
        Instant expires = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        publish(registered("u-1", Role.ADMIN));
        publish(new UserLoggedInEvent("u-1", "s-1", Instant.now(), expires));

        assertThat(find("s-1")).contains(new ActiveSession("s-1", "u-1", Role.ADMIN, expires));
    }

    @Test
    void unknownSessionIsAbsent() {
        assertThat(find("nope")).isEmpty();
    }

    @Test
    void sessionOfUserWithoutKnownRoleDefaultsToUser() throws Exception {
        publish(new UserLoggedInEvent("u-9", "s-9", Instant.now(), Instant.now().plus(1, ChronoUnit.HOURS)));
        assertThat(find("s-9")).map(ActiveSession::role).contains(Role.USER);
    }

    @Test
    void logoutRevokesOnlyThatSession() throws Exception {
        Instant expires = Instant.now().plus(1, ChronoUnit.HOURS);
        publish(registered("u-1", Role.USER));
        publish(new UserLoggedInEvent("u-1", "s-1", Instant.now(), expires));
        publish(new UserLoggedInEvent("u-1", "s-2", Instant.now(), expires));

        publish(new UserLoggedOutEvent("u-1", "s-1", Instant.now()));

        assertThat(find("s-1")).isEmpty();
        assertThat(find("s-2")).isPresent();
    }

    @Test
    void aSessionReadBeforeItsLogoutIsRefusedRightAfterIt() throws Exception {
        // the session is served from memory once read; the logout event must drop it, not the cache's expiry
        publish(registered("u-1", Role.USER));
        publish(new UserLoggedInEvent("u-1", "s-1", Instant.now(), Instant.now().plus(1, ChronoUnit.HOURS)));
        assertThat(find("s-1")).isPresent();
        assertThat(find("s-1")).isPresent();

        publish(new UserLoggedOutEvent("u-1", "s-1", Instant.now()));

        assertThat(find("s-1")).isEmpty();
    }

    @Test
    void erasureRefusesEverySessionOfThePersonEvenWhenCached() throws Exception {
        publish(registered("u-1", Role.USER));
        publish(new UserLoggedInEvent("u-1", "s-1", Instant.now(), Instant.now().plus(1, ChronoUnit.HOURS)));
        publish(new UserLoggedInEvent("u-1", "s-2", Instant.now(), Instant.now().plus(1, ChronoUnit.HOURS)));
        assertThat(find("s-1")).isPresent();
        assertThat(find("s-2")).isPresent();

        publish(new net.kimik2.api.privacy.ErasureRequestedEvent("u-1", "r-1", Instant.now(),
                Instant.now().plus(30, ChronoUnit.DAYS), "u-1", false, "gdpr-art-17"));

        assertThat(find("s-1")).isEmpty();
        assertThat(find("s-2")).isEmpty();
    }

    @Test
    void logoutNamingAnotherUserDoesNotRevokeTheSession() throws Exception {
        publish(registered("u-1", Role.USER));
        publish(new UserLoggedInEvent("u-1", "s-1", Instant.now(), Instant.now().plus(1, ChronoUnit.HOURS)));

        publish(new UserLoggedOutEvent("u-2", "s-1", Instant.now()));

        assertThat(find("s-1")).isPresent();
    }

    @Test
    void expiredSessionIsAbsent() throws Exception {
        publish(registered("u-1", Role.USER));
        publish(new UserLoggedInEvent("u-1", "s-old", Instant.now().minus(2, ChronoUnit.HOURS),
                Instant.now().minus(1, ChronoUnit.SECONDS)));

        assertThat(find("s-old")).isEmpty();
        // the row is kept (revocation history), it is the query that filters it out
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM account_session WHERE session_id = 's-old'", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void roleRegisteredAgainIsUpdatedNotDuplicated() throws Exception {
        // a replay or redelivery of the registration must not fail on the primary key
        publish(registered("u-1", Role.USER));
        publish(registered("u-1", Role.ADMIN));
        publish(new UserLoggedInEvent("u-1", "s-1", Instant.now(), Instant.now().plus(1, ChronoUnit.HOURS)));

        assertThat(find("s-1")).map(ActiveSession::role).contains(Role.ADMIN);
    }

    @Test
    void schemaCreationIsIdempotent() {
        // the store is constructed on every start against the same database
        new SessionStore(jdbc, (io.micrometer.core.instrument.MeterRegistry) null, 1000, Duration.ofMinutes(10));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM account_session", Integer.class)).isZero();
    }
}
