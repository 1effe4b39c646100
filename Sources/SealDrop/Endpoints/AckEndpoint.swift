/// `POST /ack`: the link's owner marks messages seen.
struct AckEndpoint: MessageBatchEndpoint {
    let answer = "Messages marked as seen"

    func apply(to ids: [Int64], of linkToken: String, in store: Store) throws(StoreError) -> Int {
        try store.markSeen(linkToken: linkToken, ids: ids)
    }
}
