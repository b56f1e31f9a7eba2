/// The GS1 rules for YYMMDD dates.
enum DateRules {
    /// The four-digit year of a two-digit `yy` read on `today` (GS1 General Specifications 7.12,
    /// "Determination of century in dates"): with d = yy minus today's two-digit year, d in 51...99 is the
    /// previous century, d in -99...-50 the next, anything else this century. The window is thus
    /// 49 years back to 50 years ahead.
    static func year(twoDigit yy: Int, today: GS1Date) -> Int {
        let current = ((today.year % 100) + 100) % 100
        let century = today.year - current
        let difference = yy - current
        if difference >= 51 { return century - 100 + yy }
        if difference <= -50 { return century + 100 + yy }
        return century + yy
    }

    /// The date of six digits YYMMDD in AI `ai`; day 00 is the last day of the month.
    static func date(_ digits: [Int], ai: String, today: GS1Date) throws(GS1Error) -> GS1Date {
        let month = digits[2] * 10 + digits[3]
        let day = digits[4] * 10 + digits[5]
        guard (1...12).contains(month) else { throw .monthOutOfRange(ai: ai, month: month) }
        let year = year(twoDigit: digits[0] * 10 + digits[1], today: today)
        let lastDay = GS1Date.daysIn(year: year, month: month)
        guard day <= lastDay else { throw .dayOutOfRange(ai: ai, day: day, year: year, month: month) }
        return GS1Date(year: year, month: month, day: day == 0 ? lastDay : day)
    }
}
