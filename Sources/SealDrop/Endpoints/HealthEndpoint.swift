/// `GET /health`: 200 while the database answers, else 503 so a load
/// balancer or monitor takes this responder out.
struct HealthEndpoint: Endpoint {
    func respond(_ context: EndpointContext) throws -> HTTPResponse {
        try context.store.checkHealth()
        return .json { json in
            json.field("status", "healthy")
            json.field("timestamp", Timestamp.now().iso8601)
        }
    }
}
