/// `POST /respond_message_request`: the recipient accepts or rejects a request.
struct RespondMessageRequestEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        let (owner, (requestID, status)) = try context.requireOwner(context.body()) { body in
            guard let requestID = try body.optionalInteger("request_id", in: 1...Int64.max) else {
                throw APIError.badRequest("request_id is required")
            }
            switch try body.requireString("action") {
            case "accept": return (requestID, MessageRequestStatus.accepted)
            case "reject": return (requestID, MessageRequestStatus.rejected)
            default: throw APIError.badRequest("action must be \"accept\" or \"reject\"")
            }
        }

        guard let request = try context.store.messageRequest(id: requestID) else {
            throw APIError.notFound("Request not found")
        }
        guard request.toLinkToken == owner.linkToken else {
            throw APIError(.forbidden, "Unauthorized - this request is not for you")
        }
        let answered = try context.store.answerRequest(id: requestID, with: status)
        guard answered else { throw APIError.badRequest("Request already processed") }
        return .json { json in
            json.field("message", "Request \(status.rawValue) successfully")
            json.field("request_id", requestID)
            json.field("status", status.rawValue)
        }
    }
}
