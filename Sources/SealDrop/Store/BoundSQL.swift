import MariaDB

/// SQL text and the values for its `?` placeholders, gathered by the one
/// interpolation that writes the text, so the values are always in placeholder
/// order: a statement put together from a shared part (``MailboxSQL``) cannot bind
/// a value to another placeholder than the one written for it.
struct BoundSQL: ExpressibleByStringInterpolation {
    /// What an interpolated operand stands for.
    enum Operand {
        /// A value to bind: written as `?`.
        case value(Value)
        /// A name the surrounding SQL defines, such as a stored procedure's
        /// parameter: written as it is, binding nothing.
        case name(String)
    }

    private(set) var text: String
    private(set) var values: [Value]

    init(stringLiteral text: String) {
        self.text = text
        self.values = []
    }

    init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        values = stringInterpolation.values
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var text = ""
        fileprivate var values: [Value] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 8)
        }

        mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        mutating func appendInterpolation(_ operand: Operand) {
            switch operand {
            case .value(let value):
                text += "?"
                values.append(value)
            case .name(let name):
                text += name
            }
        }
    }
}
