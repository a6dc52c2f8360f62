package io.kubetune.trainer.eval;

/**
 * The Python {@code str} operations lm-evaluation-harness' preprocessing relies on, with CPython's
 * exact semantics where Java's differ: what counts as whitespace, {@code capitalize()} (full title
 * case of the first character, Python's final-sigma rule for the rest) and {@code len()} in code
 * points.
 */
public final class PythonStrings {

    private static final int CAPITAL_SIGMA = 0x03A3;
    private static final int CAPITAL_I_WITH_DOT = 0x0130;

    // Characters whose title case is more than one character (Unicode SpecialCasing.txt), as
    // CPython's str.capitalize() writes them; everything else maps through
    // Character.toTitleCase.
    private static final String[][] MULTI_CHAR_TITLE_CASE = {
        {"\u00df", "Ss"},
        {"\u0149", "\u02bcN"},
        {"\u01f0", "J\u030c"},
        {"\u0390", "\u0399\u0308\u0301"},
        {"\u03b0", "\u03a5\u0308\u0301"},
        {"\u0587", "\u0535\u0582"},
        {"\u1e96", "H\u0331"},
        {"\u1e97", "T\u0308"},
        {"\u1e98", "W\u030a"},
        {"\u1e99", "Y\u030a"},
        {"\u1e9a", "A\u02be"},
        {"\u1f50", "\u03a5\u0313"},
        {"\u1f52", "\u03a5\u0313\u0300"},
        {"\u1f54", "\u03a5\u0313\u0301"},
        {"\u1f56", "\u03a5\u0313\u0342"},
        {"\u1fb2", "\u1fba\u0345"},
        {"\u1fb4", "\u0386\u0345"},
        {"\u1fb6", "\u0391\u0342"},
        {"\u1fb7", "\u0391\u0342\u0345"},
        {"\u1fc2", "\u1fca\u0345"},
        {"\u1fc4", "\u0389\u0345"},
        {"\u1fc6", "\u0397\u0342"},
        {"\u1fc7", "\u0397\u0342\u0345"},
        {"\u1fd2", "\u0399\u0308\u0300"},
        {"\u1fd3", "\u0399\u0308\u0301"},
        {"\u1fd6", "\u0399\u0342"},
        {"\u1fd7", "\u0399\u0308\u0342"},
        {"\u1fe2", "\u03a5\u0308\u0300"},
        {"\u1fe3", "\u03a5\u0308\u0301"},
        {"\u1fe4", "\u03a1\u0313"},
        {"\u1fe6", "\u03a5\u0342"},
        {"\u1fe7", "\u03a5\u0308\u0342"},
        {"\u1ff2", "\u1ffa\u0345"},
        {"\u1ff4", "\u038f\u0345"},
        {"\u1ff6", "\u03a9\u0342"},
        {"\u1ff7", "\u03a9\u0342\u0345"},
        {"\ufb00", "Ff"},
        {"\ufb01", "Fi"},
        {"\ufb02", "Fl"},
        {"\ufb03", "Ffi"},
        {"\ufb04", "Ffl"},
        {"\ufb05", "St"},
        {"\ufb06", "St"},
        {"\ufb13", "\u0544\u0576"},
        {"\ufb14", "\u0544\u0565"},
        {"\ufb15", "\u0544\u056b"},
        {"\ufb16", "\u054e\u0576"},
        {"\ufb17", "\u0544\u056d"},
    };

    private PythonStrings() {}

    /**
     * Python's {@code str.isspace()} for one character. Java's {@link Character#isWhitespace}
     * leaves out the no-break spaces and NEL, which Python strips.
     */
    public static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint)
                || codePoint == 0x0085
                || codePoint == 0x00A0
                || codePoint == 0x2007
                || codePoint == 0x202F;
    }

    /** Python's {@code s.strip()}. */
    public static String strip(String s) {
        return rstrip(s.substring(leadingSpaceEnd(s)));
    }

    /** Python's {@code s.rstrip()}. */
    public static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    /** Python's {@code len(s)}: code points, not UTF-16 units. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /**
     * Python's {@code s.capitalize()}: the first character in title case, the rest in lower case.
     */
    public static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        StringBuilder out = new StringBuilder(s.length() + 2).append(titleCase(first));
        for (int i = Character.charCount(first); i < s.length(); ) {
            int cp = s.codePointAt(i);
            appendLowerCase(out, s, i, cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** Python's {@code s.lower()}. */
    public static String lower(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            appendLowerCase(out, s, i, cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static int leadingSpaceEnd(String s) {
        int start = 0;
        while (start < s.length()) {
            int cp = s.codePointAt(start);
            if (!isSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        return start;
    }

    private static String titleCase(int cp) {
        for (String[] mapping : MULTI_CHAR_TITLE_CASE) {
            if (mapping[0].codePointAt(0) == cp) {
                return mapping[1];
            }
        }
        return new String(Character.toChars(Character.toTitleCase(cp)));
    }

    // The only unconditional multi-character lower case (İ) and the final-sigma rule exactly as
    // CPython's lower_ucs4 applies them; Java's String.toLowerCase decides final sigma by word
    // boundaries instead.
    private static void appendLowerCase(StringBuilder out, String s, int index, int cp) {
        if (cp == CAPITAL_I_WITH_DOT) {
            out.append("i\u0307");
        } else if (cp == CAPITAL_SIGMA) {
            out.append(isFinalSigma(s, index) ? '\u03c2' : '\u03c3');
        } else {
            out.appendCodePoint(Character.toLowerCase(cp));
        }
    }

    private static boolean isFinalSigma(String s, int index) {
        int j = index;
        int before = -1;
        while (j > 0) {
            int cp = s.codePointBefore(j);
            j -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                before = cp;
                break;
            }
        }
        if (before < 0 || !isCased(before)) {
            return false;
        }
        j = index + 1;
        while (j < s.length()) {
            int cp = s.codePointAt(j);
            j += Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
        }
        return true;
    }

    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    // Unicode Case_Ignorable: Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter, MidNumLet, Single_Quote.
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        switch (cp) {
            case '\'':
            case '.':
            case ':':
            case 0x00B7:
            case 0x0387:
            case 0x055F:
            case 0x05F4:
            case 0x2018:
            case 0x2019:
            case 0x2024:
            case 0x2027:
            case 0xFE13:
            case 0xFE52:
            case 0xFE55:
            case 0xFF07:
            case 0xFF0E:
            case 0xFF1A:
                return true;
            default:
                return false;
        }
    }
}
