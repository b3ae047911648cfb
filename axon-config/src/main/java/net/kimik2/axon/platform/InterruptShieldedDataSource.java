package net.kimik2.axon.platform;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Keeps thread interrupts away from an embedded H2 store. H2's MVStore is not interrupt-safe: an interrupt that lands
 * in a file operation closes the channel (the {@code retry:} file system reopens it), and one that lands in its lock
 * back-off during a commit ({@code MVMap.tryLock} sleeps) closes the whole store until restart (issue 11; H2 issue
 * 1300). Here every statement execution, commit and rollback runs on a store thread that nothing interrupts, while the
 * caller waits for it uninterruptibly and gets its interrupt flag back afterwards; so an interrupted caller (a
 * cancelled task, a handler timeout) finishes its store call as if it had not been interrupted, and only then sees
 * the interrupt. A connection is used by one caller at a time, so its calls stay in order on whichever store thread.
 */
public final class InterruptShieldedDataSource extends DelegatingDataSource {

    private static final Set<String> SHIELDED_CONNECTION_METHODS = Set.of("commit", "rollback", "setAutoCommit",
            "releaseSavepoint", "setSavepoint");
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Unbounded in count but never larger than the callers, which the connection pool bounds. */
    private static final ExecutorService STORE_THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30,
            TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "store-io-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    public InterruptShieldedDataSource(DataSource target) {
        super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return shield(obtainTargetDataSource().getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return shield(obtainTargetDataSource().getConnection(username, password));
    }

    static Connection shield(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Handler(connection, true));
    }

    private static final class Handler implements InvocationHandler {

        private final Object target;
        private final boolean connection;

        Handler(Object target, boolean connection) {
            this.target = target;
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "shielded " + target;
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(proxy) ? proxy : call(method, args);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(proxy) || (boolean) call(method, args);
                default:
                    break;
            }
            boolean shielded = connection ? SHIELDED_CONNECTION_METHODS.contains(name) : name.startsWith("execute");
            Object result = shielded ? onStoreThread(method, args) : call(method, args);
            if (connection && result instanceof Statement statement) {
                return wrap(statement);
            }
            return result;
        }

        private Object call(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private Object onStoreThread(Method method, Object[] args) throws Throwable {
            Future<Object> done = STORE_THREADS.submit(() -> method.invoke(target, args));
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return done.get();
                    } catch (InterruptedException e) {
                        interrupted = true; // the store call goes on; the caller sees the interrupt when it is done
                    }
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof InvocationTargetException ite ? ite.getCause() : cause;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static Statement wrap(Statement statement) {
            Class<?> type = statement instanceof CallableStatement ? CallableStatement.class
                    : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {type},
                    new Handler(statement, false));
        }
    }
}
