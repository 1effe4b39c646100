extension JSONValue {
    /// How many arrays and objects stand inside one another at the deepest point:
    /// 0 for a scalar, 1 for `[]` or `{"n": 1}`, 2 for `[[]]`. The parser refuses
    /// more than ``JSONParser/maxDepth`` levels, which bounds the recursion here.
    var nesting: Int {
        switch self {
        case .array(let values): 1 + values.reduce(0) { max($0, $1.nesting) }
        case .object(let members): 1 + members.reduce(0) { max($0, $1.1.nesting) }
        case .null, .bool, .number, .string: 0
        }
    }
}
