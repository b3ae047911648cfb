package net.kimik2.api.privacy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the field whose value identifies the key scope of every {@link PersonalData} field in the same message,
 * e.g. {@code user:<userId>} or {@code conversation:<conversationId>}. The value itself is a generated id, never
 * a personal value.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.METHOD, ElementType.PARAMETER})
public @interface DataSubject {

    /** The scope kind; the key scope is {@code <scope>:<field value>}. */
    String scope() default "user";

    /**
     * The field naming the user who owns the scope, so that erasing that user shreds this scope too. Empty for a
     * {@code user} scope, which its own subject owns.
     */
    String owner() default "";
}
