package net.kimik2.api.privacy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A command or query that is never stored anywhere (it only travels on the bus) and has no data subject yet, such
 * as a login attempt. Its personal-looking fields are secrets in transit, not data at rest.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface NotPersisted {
}
