import Foundation

extension RequestInput {
    /// A JSON number that is a whole number fitting `T`; nil for anything else, booleans included
    /// (Foundation hands JSON `true` over as an `NSNumber` that also casts to 1).
    static func integer<T: FixedWidthInteger>(_ raw: Any?, as type: T.Type = Int.self) -> T? {
        guard let number = raw as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return T(exactly: number.doubleValue)
    }
}
