import CShim

/// epoll event bits as `UInt32`, named once for the loop code.
enum EpollBits {
    static let input = UInt32(truncatingIfNeeded: CSHIM_EPOLLIN)
    static let output = UInt32(truncatingIfNeeded: CSHIM_EPOLLOUT)
    static let error = UInt32(truncatingIfNeeded: CSHIM_EPOLLERR)
    static let hangUp = UInt32(truncatingIfNeeded: CSHIM_EPOLLHUP)
    static let readHangUp = UInt32(truncatingIfNeeded: CSHIM_EPOLLRDHUP)
    static let exclusive = UInt32(truncatingIfNeeded: CSHIM_EPOLLEXCLUSIVE)
    static let edgeTriggered = UInt32(truncatingIfNeeded: CSHIM_EPOLLET)
    /// Anything that means "try reading": data, a peer hang-up, or an error to collect.
    static let readSide = input | readHangUp | error | hangUp
}
