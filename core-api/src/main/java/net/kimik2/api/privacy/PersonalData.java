package net.kimik2.api.privacy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field (record component) that holds personal data. It is encrypted under the key of the message's
 * {@link DataSubject} before it is stored anywhere; once that key is destroyed, readers see {@link #replacement()}.
 * Works on strings, nested records, lists and maps (every element is protected).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.METHOD, ElementType.PARAMETER})
public @interface PersonalData {

    /** What readers see after the subject's key was destroyed (crypto-shredded). */
    String replacement() default "[erased]";
}
