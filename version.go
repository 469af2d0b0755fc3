package powertools

// Version is this library's version. The AWS SDK clients the library builds itself (the default providers
// of the parameters utility, for instance) carry it in their user agent as "powertools-go/<Version>".
const Version = "0.9.0"

// userAgentName is the application name the library's own AWS SDK clients add to their user agent.
const userAgentName = "powertools-go"
