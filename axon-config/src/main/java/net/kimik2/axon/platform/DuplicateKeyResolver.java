package net.kimik2.axon.platform;

import java.sql.SQLException;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;

/**
 * Recognises a unique-key violation (SQLState class 23) anywhere in the cause chain, including the
 * {@code getNextException()} chain in which H2 hides the real error of a batch insert. Axon's default resolver
 * misses that, turning a concurrent append into a generic EventStoreException instead of a ConcurrencyException.
 */
final class DuplicateKeyResolver implements PersistenceExceptionResolver {

    @Override
    public boolean isDuplicateKeyViolation(Exception exception) {
        Throwable t = exception;
        int guard = 0;
        while (t != null && guard++ < 32) {
            if (t instanceof SQLException sql && isDuplicate(sql)) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private static boolean isDuplicate(SQLException sql) {
        SQLException e = sql;
        int guard = 0;
        while (e != null && guard++ < 32) {
            if (e instanceof java.sql.SQLIntegrityConstraintViolationException
                    || (e.getSQLState() != null && e.getSQLState().startsWith("23"))) {
                return true;
            }
            e = e.getNextException();
        }
        return false;
    }
}
