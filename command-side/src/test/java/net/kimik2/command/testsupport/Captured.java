package net.kimik2.command.testsupport;

import org.hamcrest.BaseMatcher;
import org.hamcrest.Description;

/**
 * A matcher that accepts anything and keeps what it saw, so that fixture results (events, exceptions, payloads)
 * can be asserted with AssertJ and readable failure messages instead of opaque hamcrest predicates.
 */
public final class Captured<T> extends BaseMatcher<T> {

    private T value;
    private boolean seen;

    @Override
    @SuppressWarnings("unchecked")
    public boolean matches(Object actual) {
        value = (T) actual;
        seen = true;
        return true;
    }

    @Override
    public void describeTo(Description description) {
        description.appendText("anything (captured)");
    }

    public T get() {
        if (!seen) {
            throw new AssertionError("the fixture never offered a value to this matcher");
        }
        return value;
    }
}
