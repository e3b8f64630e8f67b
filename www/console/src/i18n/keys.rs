//! The keys of the catalogue: one per text on screen. A key added here is a compile error in
//! every language module until each one translates it.

/// Declares a key enum and the list of all its keys (for the catalogue's tests).
macro_rules! keys {
    ($(#[$meta:meta])* $name:ident { $($key:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($key),* }

        impl $name {
            /// Every key, for the tests that check each language has them all.
            #[cfg(test)]
            pub const ALL: &[$name] = &[$($name::$key),*];
        }
    };
}

keys!(
    /// A text on screen. The English text of each key is in `en.rs`; parameters are `{name}`.
    Text {
        // Signing in and the frame.
        Loading,
        ConsoleTitle,
        Email,
        Password,
        SignIn,
        SignOut,
        ConsoleNavigation,
        Conversations,
        Settings,
        Answers,
        Available,
        DesktopNotifications,
        NoOneElseOnline,
        AlsoOnline,
        Connecting,
        Reconnecting,
        Dismiss,
        NewChat,
        // The list.
        Inbox,
        ConversationStatus,
        Open,
        Resolved,
        NoConversations,
        Queue,
        OperatorNumber,
        VisitorNumber,
        System,
        Operator,
        You,
        AuthorSaid,
        Waiting,
        TypingShort,
        Priority,
        Satisfied,
        Neutral,
        Dissatisfied,
        // The conversation.
        Conversation,
        PickConversation,
        InQueue,
        AssignedToYou,
        AssignedTo,
        OperatorOnline,
        OperatorOffline,
        TakeOver,
        TransferTo,
        ChooseOperator,
        Resolve,
        Reopen,
        Tags,
        RemoveTag,
        AddTag,
        Add,
        Rating,
        Messages,
        Sending,
        NotSent,
        Discard,
        IsTyping,
        Shortcuts,
        Message,
        ComposerPlaceholder,
        Send,
        // The visitor's context.
        Visitor,
        Name,
        VisitorLanguage,
        FirstSeen,
        Shop,
        CurrentPage,
        PagesThisSession,
        Cart,
        Item,
        Quantity,
        Price,
        Total,
        Empty,
        // The profile.
        MyProfile,
        DisplayName,
        PhotoUrl,
        SaveProfile,
        ProfileSaved,
        ConsoleLanguage,
        LanguageSaved,
        CurrentPassword,
        NewPassword,
        ChangePassword,
        PasswordChanged,
        // Refusals and failures.
        Unreachable,
        NotUnderstood,
        RelayAnswered,
        ErrorBadRequest,
        ErrorRateLimited,
        ErrorUnauthorized,
        ErrorForbidden,
        ErrorNotFound,
        ErrorTooLong,
        ErrorTextEmpty,
        ErrorInvalidEmail,
        ErrorUnavailable,
        ErrorConflict,
        ErrorInvalidTemplate,
        // Settings and answers.
        ShortcutSaved,
        ShortcutDeleted,
        Team,
        Personal,
        EditShortcut,
        DeleteShortcut,
        Edit,
        Delete,
        ShortcutsHint,
        TextColumn,
        Scope,
        Actions,
        Shortcut,
        ShortcutName,
        ShortcutText,
        SaveShortcut,
        AddShortcut,
        Cancel,
        Operators,
        Admin,
        Online,
        OpenChatsColumn,
        OperatorSaved,
        Disabled,
        Offline,
        Yes,
        No,
        OperatorEnabled,
        OperatorDisabled,
        Enable,
        Disable,
        EnableOperator,
        DisableOperator,
        NameOf,
        PhotoUrlOf,
        AdminOf,
        SaveOperator,
        Save,
        OperatorAdded,
        AddAnOperator,
        NewOperatorEmail,
        NewOperatorName,
        NewOperatorPassword,
        AddOperator,
    }
);

keys!(
    /// A text that changes with a number, `{count}` in each of its forms.
    Count {
        Unread,
        OpenChats,
        UnreadConversations,
    }
);
