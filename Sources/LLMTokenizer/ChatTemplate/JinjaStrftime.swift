import Foundation

/// `strftime_now(format)`: Python's `datetime.strftime` for a naive date, as glibc's C
/// locale formats it (`%d %b %Y` → `07 Mar 2025`), including glibc's `%-d` (no padding).
/// The date is taken in UTC.
enum JinjaStrftime {
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    static func format(_ format: String, _ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let year = c.year ?? 1970
        let month = c.month ?? 1
        let day = c.day ?? 1
        let hour = c.hour ?? 0
        let minute = c.minute ?? 0
        let second = c.second ?? 0
        let weekday0 = (c.weekday ?? 1) - 1  // 0 = Sunday
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let hour12 = hour % 12 == 0 ? 12 : hour % 12

        var out = ""
        var chars = Array(format)[...]
        while let ch = chars.popFirst() {
            guard ch == "%", let next = chars.first else {
                out.append(ch)
                continue
            }
            chars = chars.dropFirst()
            var directive = next
            var pad = true
            if directive == "-", let afterDash = chars.first {
                pad = false
                directive = afterDash
                chars = chars.dropFirst()
            }
            func number(_ value: Int, _ width: Int, _ padding: Character = "0") -> String {
                let text = String(value)
                guard pad, text.count < width else { return text }
                return String(repeating: padding, count: width - text.count) + text
            }
            switch directive {
            case "a": out += String(weekdays[weekday0].prefix(3))
            case "A": out += weekdays[weekday0]
            case "b", "h": out += String(months[month - 1].prefix(3))
            case "B": out += months[month - 1]
            case "d": out += number(day, 2)
            case "e": out += number(day, 2, " ")
            case "H": out += number(hour, 2)
            case "I": out += number(hour12, 2)
            case "j": out += number(dayOfYear, 3)
            case "m": out += number(month, 2)
            case "M": out += number(minute, 2)
            case "S": out += number(second, 2)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "y": out += number(year % 100, 2)
            case "Y": out += String(year)
            case "C": out += number(year / 100, 2)
            case "u": out += String(weekday0 == 0 ? 7 : weekday0)
            case "w": out += String(weekday0)
            case "f": out += "000000"
            case "z", "Z": break
            case "D": out += JinjaStrftime.format("%m/%d/%y", date)
            case "F": out += JinjaStrftime.format("%Y-%m-%d", date)
            case "T": out += JinjaStrftime.format("%H:%M:%S", date)
            case "R": out += JinjaStrftime.format("%H:%M", date)
            case "c": out += JinjaStrftime.format("%a %b %e %H:%M:%S %Y", date)
            case "x": out += JinjaStrftime.format("%m/%d/%y", date)
            case "X": out += JinjaStrftime.format("%H:%M:%S", date)
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            default:
                out += "%" + (pad ? "" : "-") + String(directive)
            }
        }
        return out
    }
}
